import type { CallDirection, CallEventInput, SourceProblem } from '@deskrec/core';
import type { FreeswitchOptions } from './options.js';

/** The events the source subscribes to; CHANNEL_HANGUP is read too when a server sends it. */
export const SUBSCRIBED_EVENTS = [
  'CHANNEL_CREATE',
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_HANGUP_COMPLETE',
] as const;
const USED = new Set<string>([...SUBSCRIBED_EVENTS, 'CHANNEL_HANGUP']);

export type EslEvent = Record<string, string>;

interface LegState {
  uuid: string;
  callId: string;
  /** The agent's extension when this leg is an agent's phone. */
  agent?: string;
  trunk: boolean;
  /** Call-Direction of the leg: `inbound` = placed by the phone/trunk towards FreeSWITCH. */
  legDirection?: string;
  answered: boolean;
  bridged: boolean;
  started?: { callId: string; direction: CallDirection };
  from?: string;
  to?: string;
}

interface CallState {
  /** The leg that began the call: its Unique-ID equals Channel-Call-UUID. */
  origin?: 'trunk' | 'phone';
  trunk: boolean;
  legs: Set<string>;
}

const MAX_LEGS = 20_000;

export interface TrackResult {
  events: CallEventInput[];
  problem?: SourceProblem;
}

const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/**
 * Turns FreeSWITCH channel events into call events. Each leg is looked at on its own: a leg is an agent's when
 * it is not a trunk and the extension found in its headers (caller-leg or callee-leg headers, by the leg's
 * Call-Direction) matches the pattern. The agent is on the call once the leg is bridged (or answered, per
 * `startOn`); it leaves when the leg hangs up. The call id is Channel-Call-UUID (the A-leg's Unique-ID).
 */
export class CallTracker {
  private readonly legs = new Map<string, LegState>();
  private readonly calls = new Map<string, CallState>();
  private readonly agentPattern: RegExp;
  private readonly trunkPatterns: RegExp[];

  constructor(
    private readonly options: FreeswitchOptions,
    private readonly now: () => Date,
  ) {
    this.agentPattern = new RegExp(options.agentExtensionPattern);
    this.trunkPatterns = options.trunkChannelPatterns.map((p) => new RegExp(p));
  }

  static wants(event: EslEvent): boolean {
    return USED.has(event['Event-Name'] ?? '');
  }

  track(event: EslEvent): TrackResult {
    const name = event['Event-Name'];
    const uuid = event['Unique-ID'];
    if (!present(uuid)) return this.bad(`FreeSWITCH ${name} event without Unique-ID`, event);
    const at = this.timeOf(event);
    if (!at) return this.bad(`FreeSWITCH ${name} event with an unreadable Event-Date-Timestamp`, event);
    if (name === 'CHANNEL_HANGUP' || name === 'CHANNEL_HANGUP_COMPLETE')
      return { events: this.hangup(uuid, event, at) };
    const leg = this.remember(uuid, event);
    const events: CallEventInput[] = [];
    if (name === 'CHANNEL_ANSWER') {
      leg.answered = true;
      if (this.options.startOn === 'answer') this.start(leg, at, events);
    } else if (name === 'CHANNEL_BRIDGE') {
      leg.bridged = true;
      this.start(leg, at, events);
      const other = this.otherLeg(event);
      if (other) {
        other.bridged = true;
        this.start(other, at, events);
      }
    }
    return { events };
  }

  private start(leg: LegState, at: Date, out: CallEventInput[]): void {
    if (!leg.agent || leg.started) return;
    if (this.options.startOn === 'bridge' && !leg.bridged) return;
    const direction = this.directionOf(leg.callId);
    leg.started = { callId: leg.callId, direction };
    out.push({
      type: 'call.started',
      callId: leg.callId,
      at,
      direction,
      agent: { by: 'extension', value: leg.agent },
      ...(leg.from ? { from: { number: leg.from } } : {}),
      ...(leg.to ? { to: { number: leg.to } } : {}),
    });
  }

  private hangup(uuid: string, event: EslEvent, at: Date): CallEventInput[] {
    const leg = this.legs.get(uuid);
    this.forget(uuid);
    if (!leg?.started || !leg.agent) return [];
    const cause = event['Hangup-Cause'];
    return [
      {
        type: 'call.ended',
        callId: leg.started.callId,
        at,
        direction: leg.started.direction,
        agent: { by: 'extension', value: leg.agent },
        ...(present(cause) ? { reason: cause.slice(0, 256) } : {}),
      },
    ];
  }

  private remember(uuid: string, event: EslEvent): LegState {
    let leg = this.legs.get(uuid);
    const callId = event['Channel-Call-UUID'] || uuid;
    if (!leg) {
      leg = { uuid, callId, trunk: false, answered: false, bridged: false };
      this.legs.set(uuid, leg);
      if (this.legs.size > MAX_LEGS) this.forget(this.legs.keys().next().value as string);
    }
    if (!leg.started && leg.callId !== callId) {
      this.calls.get(leg.callId)?.legs.delete(uuid);
      leg.callId = callId;
    }
    this.describe(leg, {
      channel: event['Channel-Name'],
      direction: event['Call-Direction'],
      headers: event,
      from: event['Caller-Caller-ID-Number'],
      to: event['Caller-Destination-Number'],
    });
    return leg;
  }

  /** The far leg named in a CHANNEL_BRIDGE event, known from its own events or from the Other-Leg-* headers. */
  private otherLeg(event: EslEvent): LegState | undefined {
    const uuid = event['Other-Leg-Unique-ID'] ?? event['Bridge-B-Unique-ID'];
    if (!present(uuid) || uuid === event['Unique-ID']) return undefined;
    let leg = this.legs.get(uuid);
    if (!leg) {
      leg = {
        uuid,
        callId: event['Channel-Call-UUID'] || event['Unique-ID'] || uuid,
        trunk: false,
        answered: true,
        bridged: false,
      };
      this.legs.set(uuid, leg);
      const prefixed: EslEvent = Object.create(null);
      for (const [name, value] of Object.entries(event)) {
        if (name.startsWith('Other-Leg-')) prefixed[`Caller-${name.slice('Other-Leg-'.length)}`] = value;
      }
      this.describe(leg, {
        channel: event['Other-Leg-Channel-Name'],
        direction: event['Other-Leg-Direction'],
        headers: prefixed,
        from: event['Other-Leg-Caller-ID-Number'],
        to: event['Other-Leg-Destination-Number'],
      });
    }
    return leg;
  }

  private describe(
    leg: LegState,
    seen: { channel?: string; direction?: string; headers: EslEvent; from?: string; to?: string },
  ): void {
    if (present(seen.direction)) leg.legDirection = seen.direction;
    if (present(seen.from)) leg.from = seen.from;
    if (present(seen.to)) leg.to = seen.to;
    if (present(seen.channel) && this.trunkPatterns.some((p) => p.test(seen.channel as string)))
      leg.trunk = true;
    if (!leg.trunk && !leg.agent) {
      const names =
        leg.legDirection === 'outbound' ? this.options.calleeLegHeaders : this.options.callerLegHeaders;
      const found = names.map((name) => seen.headers[name]).find(present);
      if (found && this.agentPattern.test(found)) leg.agent = found;
    }
    let call = this.calls.get(leg.callId);
    if (!call) {
      call = { trunk: false, legs: new Set() };
      this.calls.set(leg.callId, call);
    }
    call.legs.add(leg.uuid);
    if (leg.trunk) call.trunk = true;
    if (leg.uuid === leg.callId) call.origin ??= leg.trunk ? 'trunk' : 'phone';
  }

  private directionOf(callId: string): CallDirection {
    const call = this.calls.get(callId);
    if (call?.origin === 'trunk') return 'inbound';
    if (call?.origin === 'phone') return call.trunk ? 'outbound' : 'internal';
    return 'unknown';
  }

  private forget(uuid: string): void {
    const leg = this.legs.get(uuid);
    this.legs.delete(uuid);
    if (!leg) return;
    const call = this.calls.get(leg.callId);
    call?.legs.delete(uuid);
    if (call?.legs.size === 0) this.calls.delete(leg.callId);
  }

  /** Event-Date-Timestamp is microseconds since the epoch; without it, the arrival time. */
  private timeOf(event: EslEvent): Date | undefined {
    const stamp = event['Event-Date-Timestamp'];
    if (stamp === undefined) return this.now();
    if (!/^\d{1,17}$/.test(stamp)) return undefined;
    const date = new Date(Math.floor(Number(stamp) / 1000));
    return Number.isNaN(date.getTime()) || date.getTime() <= 0 ? undefined : date;
  }

  private bad(message: string, event: EslEvent): TrackResult {
    const input = Object.entries(event)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')
      .slice(0, 200);
    return { events: [], problem: { message, input } };
  }
}
