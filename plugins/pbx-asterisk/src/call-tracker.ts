import type { CallDirection, CallEventInput, SourceProblem } from '@deskrec/core';
import type { AmiMessage } from './ami-parser.js';
import { parseChannelName } from './channel-name.js';
import type { AsteriskOptions } from './options.js';

/** The AMI events the tracker reads; everything else is dropped on arrival. */
export const USED_EVENTS = ['Newchannel', 'BridgeEnter', 'Hangup'] as const;
const USED = new Set(USED_EVENTS.map((e) => e.toLowerCase()));

type ChannelKind = 'agent' | 'trunk' | 'local' | 'other';

interface CallState {
  members: Set<string>;
  /** The kind of the channel that began the call (its Uniqueid is the Linkedid). */
  origin?: ChannelKind;
  /** A trunk channel took part at some point. */
  trunk: boolean;
}

interface ChannelState {
  uniqueid: string;
  linkedid: string;
  kind: ChannelKind;
  /** Set once the agent on this channel was reported on the call; the end reuses it. */
  started?: { callId: string; agent: string; direction: CallDirection };
}

/** Bounds the state when Hangups are missed (e.g. events lost during a reconnect). */
const MAX_CHANNELS = 20_000;

export interface TrackResult {
  events: CallEventInput[];
  problem?: SourceProblem;
}

const present = (value: string | undefined): value is string =>
  value !== undefined && value !== '' && value !== '<unknown>';

/**
 * Turns AMI 12+ channel events into call events. An agent channel (a phone, not a Local or trunk channel)
 * that enters a bridge is on the call: `call.started` with the channel's Linkedid as call id. The agent
 * leaves the call when that channel hangs up: `call.ended` with the same call id. Bridge hops (Local
 * channel optimisation, transfers) therefore cause no spurious end/start; a transfer ends the transferring
 * agent's channel and starts the target's.
 */
export class CallTracker {
  private readonly channels = new Map<string, ChannelState>();
  /** Linkedid → what is known about the call while any of its channels lives. */
  private readonly calls = new Map<string, CallState>();
  private readonly technologies: Set<string>;
  private readonly agentPattern: RegExp;
  private readonly trunkPatterns: RegExp[] | undefined;

  constructor(
    private readonly options: AsteriskOptions,
    private readonly now: () => Date,
  ) {
    this.technologies = new Set(options.agentTechnologies.map((t) => t.toLowerCase()));
    this.agentPattern = new RegExp(options.agentExtensionPattern);
    this.trunkPatterns = options.trunkChannelPatterns?.map((p) => new RegExp(p));
  }

  static wants(message: AmiMessage): boolean {
    const event = message.event;
    return event !== undefined && USED.has(event.toLowerCase());
  }

  track(message: AmiMessage): TrackResult {
    const event = message.event?.toLowerCase();
    const { channel, uniqueid, linkedid } = message;
    // Asterisk 11 and older (AMI 1.x) send Newchannel without Linkedid; it only feeds direction detection.
    if (event === 'newchannel' && !present(linkedid)) return { events: [] };
    if (!present(channel) || !present(uniqueid) || (event !== 'hangup' && !present(linkedid))) {
      return {
        events: [],
        problem: {
          message: `AMI ${message.event} event without Channel, Uniqueid or Linkedid`,
          input: describe(message),
        },
      };
    }
    const at = this.timeOf(message);
    if (at === undefined) {
      return {
        events: [],
        problem: {
          message: `AMI ${message.event} event with an unreadable Timestamp`,
          input: describe(message),
        },
      };
    }
    if (event === 'hangup') return { events: this.hangup(uniqueid, message, at) };
    const state = this.remember(message, channel, uniqueid, linkedid as string);
    if (event === 'bridgeenter') return { events: this.bridgeEnter(state, message, at) };
    return { events: [] };
  }

  private remember(message: AmiMessage, channel: string, uniqueid: string, linkedid: string): ChannelState {
    let state = this.channels.get(uniqueid);
    if (!state) {
      state = { uniqueid, linkedid, kind: this.kindOf(channel, message.context) };
      this.channels.set(uniqueid, state);
      if (this.channels.size > MAX_CHANNELS) this.forget(this.channels.keys().next().value as string);
    } else if (state.linkedid !== linkedid) {
      // Transfers move channels between calls; the started call keeps its id until the channel ends.
      this.leave(state);
      state.linkedid = linkedid;
    }
    if (state.kind === 'other' && message.event?.toLowerCase() === 'bridgeenter') {
      state.kind = this.kindOf(channel, message.context);
    }
    let call = this.calls.get(linkedid);
    if (!call) {
      call = { members: new Set(), trunk: false };
      this.calls.set(linkedid, call);
    }
    call.members.add(uniqueid);
    if (uniqueid === linkedid) call.origin ??= state.kind;
    if (state.kind === 'trunk') call.trunk = true;
    return state;
  }

  private bridgeEnter(state: ChannelState, message: AmiMessage, at: Date): CallEventInput[] {
    if (state.kind !== 'agent' || state.started) return [];
    const name = parseChannelName(message.channel as string);
    const agent =
      this.options.agentIdentity === 'caller-id' && present(message.calleridnum)
        ? message.calleridnum
        : (name?.peer ?? '');
    if (!agent) return [];
    const direction = this.directionOf(state.linkedid);
    state.started = { callId: state.linkedid, agent, direction };
    const other = present(message.connectedlinenum)
      ? {
          number: message.connectedlinenum,
          ...(present(message.connectedlinename) ? { name: message.connectedlinename } : {}),
        }
      : undefined;
    const self = { number: agent };
    const agentCalled = state.uniqueid === state.linkedid;
    return [
      {
        type: 'call.started',
        callId: state.linkedid,
        at,
        direction,
        agent: { by: 'extension', value: agent },
        ...(agentCalled
          ? { from: self, ...(other ? { to: other } : {}) }
          : { to: self, ...(other ? { from: other } : {}) }),
      },
    ];
  }

  private hangup(uniqueid: string, message: AmiMessage, at: Date): CallEventInput[] {
    const state = this.channels.get(uniqueid);
    this.forget(uniqueid);
    if (!state?.started) return [];
    const { callId, agent, direction } = state.started;
    const cause = message['cause-txt'];
    return [
      {
        type: 'call.ended',
        callId,
        at,
        direction,
        agent: { by: 'extension', value: agent },
        ...(present(cause) ? { reason: cause.slice(0, 256) } : {}),
      },
    ];
  }

  private forget(uniqueid: string): void {
    const state = this.channels.get(uniqueid);
    this.channels.delete(uniqueid);
    if (state) this.leave(state);
  }

  private leave(state: ChannelState): void {
    const call = this.calls.get(state.linkedid);
    call?.members.delete(state.uniqueid);
    if (call?.members.size === 0) this.calls.delete(state.linkedid);
  }

  private directionOf(linkedid: string): CallDirection {
    const call = this.calls.get(linkedid);
    switch (call?.origin) {
      case 'trunk':
        return 'inbound';
      case 'agent':
      case 'other':
        return call.trunk ? 'outbound' : 'internal';
      case 'local':
        // Originated calls (click-to-dial) begin on a Local channel: only a trunk tells the direction.
        return call.trunk ? 'outbound' : 'unknown';
      default:
        return 'unknown';
    }
  }

  private kindOf(channel: string, context: string | undefined): ChannelKind {
    const name = parseChannelName(channel);
    if (!name) return 'other';
    if (name.technology.toLowerCase() === 'local') return 'local';
    if (this.trunkPatterns?.some((p) => p.test(channel))) return 'trunk';
    const agentLike =
      this.technologies.has(name.technology.toLowerCase()) && this.agentPattern.test(name.peer);
    if (agentLike) {
      const contexts = this.options.agentContexts;
      return !contexts || (context !== undefined && contexts.includes(context)) ? 'agent' : 'other';
    }
    return this.trunkPatterns ? 'other' : 'trunk';
  }

  /** `Timestamp:` is present when manager.conf has `timestampevents = yes`; otherwise the arrival time. */
  private timeOf(message: AmiMessage): Date | undefined {
    const stamp = message.timestamp;
    if (stamp === undefined) return this.now();
    const seconds = Number(stamp);
    if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
    return new Date(Math.round(seconds * 1000));
  }
}

function describe(message: AmiMessage): string {
  return Object.entries(message)
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ')
    .slice(0, 200);
}
