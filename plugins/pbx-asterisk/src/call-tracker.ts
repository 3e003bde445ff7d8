import { type CallDirection, type CallEventInput, ReconcileWindow, type SourceProblem } from '@deskrec/core';
import type { AmiMessage } from './ami-parser.js';
import { ChannelClassifier, type ChannelKind, earlier, present } from './channel-kind.js';
import type { AsteriskOptions } from './options.js';
import { RECORDING_EVENTS, RecordingNames } from './recording-file.js';

/** The AMI events the tracker reads; everything else is dropped on arrival. */
export const USED_EVENTS = [
  'Newchannel',
  'BridgeEnter',
  'BridgeLeave',
  'BridgeDestroy',
  'Hangup',
  ...RECORDING_EVENTS,
] as const;
const USED = new Set<string>(USED_EVENTS.map((e) => e.toLowerCase()));

interface CallState {
  members: Set<string>;
  /** The kind of the channel that began the call (its Uniqueid is the Linkedid). */
  origin?: ChannelKind;
  /** A trunk channel took part at some point. */
  trunk: boolean;
  /** The last recording file a channel of the call named. */
  recording?: string;
}

interface ChannelState {
  uniqueid: string;
  linkedid: string;
  kind: ChannelKind;
  channel: string;
  callerIdNum?: string;
  connectedNum?: string;
  connectedName?: string;
  bridge?: string;
  /** The last recording file named on this channel. */
  recording?: string;
  /** Set once the agent on this channel was reported on the call; the end reuses it. */
  started?: { callId: string; agent: string; direction: CallDirection };
}

interface BridgeState {
  members: Set<string>;
  /** Holding bridges (AgentLogin waiting, parking, music on hold) never make a call. */
  holding: boolean;
}

/** Bounds the state when Hangups are missed (e.g. events lost during a reconnect). */
const MAX_CHANNELS = 20_000;

export interface TrackResult {
  events: CallEventInput[];
  problem?: SourceProblem;
}

/** One `Event: CoreShowChannel` row of a live-channel list. */
export type LiveChannel = AmiMessage;

/** What AmiSource needs from a tracker: this one (AMI 2+) or the legacy one (AMI 1.x). */
export interface AmiTracker {
  readonly openCalls: number;
  wants(message: AmiMessage): boolean;
  track(message: AmiMessage): TrackResult;
  beginReconcile(): void;
  abortReconcile(): void;
  reconcile(rows: readonly LiveChannel[], at: Date): ReconcileResult;
  endAll(at: Date, reason: string): CallEventInput[];
}

export interface ReconcileResult {
  events: CallEventInput[];
  ended: number;
  started: number;
}

/**
 * Turns AMI 12+ channel events into call events. An agent channel (a phone, not a Local or trunk channel)
 * is on a call once it shares a non-holding bridge with another channel: `call.started`, and `call.ended`
 * when that channel hangs up. The call id is the earliest Linkedid among the bridge's channels: a pickup's
 * or a blonde transfer's channel carries its own, younger Linkedid, while the caller's call is the older
 * one. Bridge hops (Local channel optimisation, transfers) therefore cause no spurious end/start.
 * `reconcile` compares the tracked channels with the PBX's live list (CoreShowChannels).
 */
export class CallTracker implements AmiTracker {
  private readonly channels = new Map<string, ChannelState>();
  /** Linkedid → what is known about the call while any of its channels lives. */
  private readonly calls = new Map<string, CallState>();
  private readonly bridges = new Map<string, BridgeState>();
  private readonly classifier: ChannelClassifier;
  private readonly recordings: RecordingNames;
  private window: ReconcileWindow<string> | undefined;

  constructor(
    options: AsteriskOptions,
    private readonly now: () => Date,
  ) {
    this.classifier = new ChannelClassifier(options);
    this.recordings = new RecordingNames(options);
  }

  static wants(message: AmiMessage): boolean {
    const event = message.event;
    return event !== undefined && USED.has(event.toLowerCase());
  }

  wants(message: AmiMessage): boolean {
    return CallTracker.wants(message);
  }

  /** Agents currently on a call. */
  get openCalls(): number {
    let open = 0;
    for (const state of this.channels.values()) if (state.started) open++;
    return open;
  }

  track(message: AmiMessage): TrackResult {
    const event = message.event?.toLowerCase();
    if (event === 'bridgedestroy') {
      if (present(message.bridgeuniqueid)) this.bridges.delete(message.bridgeuniqueid);
      return { events: [] };
    }
    const { channel, uniqueid, linkedid } = message;
    // Recording events of channels that are gone (or AMI 1.x ones) name nothing the tracker can place.
    if (RecordingNames.isRecordingEvent(message) && !(present(uniqueid) && present(linkedid)))
      return { events: [] };
    // Asterisk 11 and older (AMI 1.x) send Newchannel without Linkedid; it only feeds direction detection.
    if (event === 'newchannel' && !present(linkedid)) return { events: [] };
    if (
      !present(channel) ||
      !present(uniqueid) ||
      (event !== 'hangup' && event !== 'bridgeleave' && !present(linkedid))
    ) {
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
    const recording = this.recordings.fileIn(message);
    if (event === 'hangup') {
      if (recording) this.noteRecording(uniqueid, recording);
      this.window?.end(uniqueid);
      return { events: this.hangup(uniqueid, message, at) };
    }
    this.window?.touch(uniqueid);
    if (event === 'bridgeleave') {
      this.leaveBridge(uniqueid);
      return { events: [] };
    }
    const state = this.remember(message, channel, uniqueid, linkedid as string);
    if (recording) this.noteRecording(uniqueid, recording);
    if (RecordingNames.isRecordingEvent(message)) return { events: [] };
    if (event === 'bridgeenter') return { events: this.bridgeEnter(state, message, at) };
    return { events: [] };
  }

  /** Starts a reconciliation: from now on, events are noted against the list the PBX is about to send. */
  beginReconcile(): void {
    this.window = new ReconcileWindow(this.channels.keys());
  }

  /** Drops a reconciliation whose list will never complete (the connection dropped). */
  abortReconcile(): void {
    this.window = undefined;
  }

  /**
   * Applies the PBX's live-channel list: agents on channels the PBX no longer has leave their calls; agent
   * channels the list shows bridged with another channel, but not yet on a call here, join it.
   */
  reconcile(rows: readonly LiveChannel[], at: Date): ReconcileResult {
    const window = this.window ?? new ReconcileWindow<string>(this.channels.keys());
    this.window = undefined;
    const live = new Set<string>();
    for (const row of rows) if (present(row.uniqueid)) live.add(row.uniqueid);
    const events: CallEventInput[] = [];
    let ended = 0;
    for (const uniqueid of window.stale(live)) {
      const gone = this.endChannel(uniqueid, at, 'gone from the PBX (found by reconciliation)');
      if (gone) {
        events.push(gone);
        ended++;
      }
    }
    const byBridge = new Map<string, string[]>();
    for (const row of rows) {
      const { channel, uniqueid, linkedid } = row;
      if (!present(channel) || !present(uniqueid) || !present(linkedid) || !window.stillLive(uniqueid))
        continue;
      const state = this.remember(row, channel, uniqueid, linkedid);
      const bridge = row.bridgeid;
      if (present(bridge)) {
        const members = byBridge.get(bridge) ?? [];
        members.push(uniqueid);
        byBridge.set(bridge, members);
        if (state.bridge !== bridge) {
          this.leaveBridge(uniqueid);
          this.joinBridge(state, bridge, false);
        }
      }
    }
    let started = 0;
    for (const members of byBridge.values()) {
      if (members.length < 2) continue;
      const callId = this.callIdOf(members);
      for (const uniqueid of members) {
        const state = this.channels.get(uniqueid);
        if (!state || state.started || state.kind !== 'agent') continue;
        const event = this.start(state, callId, at);
        if (event) {
          events.push(event);
          started++;
        }
      }
    }
    return { events, ended, started };
  }

  /** The PBX is going away: every agent still on a call leaves it with `reason`. */
  endAll(at: Date, reason: string): CallEventInput[] {
    const events: CallEventInput[] = [];
    for (const uniqueid of [...this.channels.keys()]) {
      const event = this.endChannel(uniqueid, at, reason);
      if (event) events.push(event);
    }
    this.bridges.clear();
    return events;
  }

  private remember(message: AmiMessage, channel: string, uniqueid: string, linkedid: string): ChannelState {
    let state = this.channels.get(uniqueid);
    if (!state) {
      state = { uniqueid, linkedid, channel, kind: this.classifier.kindOf(channel, message.context) };
      this.channels.set(uniqueid, state);
      if (this.channels.size > MAX_CHANNELS) this.forget(this.channels.keys().next().value as string);
    } else if (state.linkedid !== linkedid) {
      // Transfers move channels between calls; the started call keeps its id until the channel ends.
      this.leave(state);
      state.linkedid = linkedid;
    }
    if (state.channel !== channel) {
      // A masquerade (pickup, transfer) puts another device behind the same Uniqueid.
      state.channel = channel;
      if (!state.started) state.kind = this.classifier.kindOf(channel, message.context);
    } else if (state.kind === 'other' && message.event?.toLowerCase() === 'bridgeenter') {
      state.kind = this.classifier.kindOf(channel, message.context);
    }
    const callerIdNum = message.calleridnum;
    if (present(callerIdNum)) state.callerIdNum = callerIdNum;
    if (present(message.connectedlinenum)) {
      state.connectedNum = message.connectedlinenum;
      state.connectedName = present(message.connectedlinename) ? message.connectedlinename : undefined;
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
    const bridge = message.bridgeuniqueid;
    if (!present(bridge)) return [];
    if (state.bridge !== bridge) this.leaveBridge(state.uniqueid);
    const holding =
      message.bridgetype?.toLowerCase() === 'holding' ||
      message.bridgetechnology?.toLowerCase() === 'holding_bridge';
    const members = this.joinBridge(state, bridge, holding);
    if (members.holding) return [];
    // Channels that entered before the source connected are counted by Asterisk, not by us.
    const count = Math.max(members.members.size, Number(message.bridgenumchannels) || 0);
    if (count < 2) return [];
    const ids = [...members.members];
    const callId = this.callIdOf(ids);
    const events: CallEventInput[] = [];
    for (const uniqueid of ids) {
      const member = this.channels.get(uniqueid);
      if (!member || member.started || member.kind !== 'agent') continue;
      const event = this.start(member, callId, at);
      if (event) events.push(event);
    }
    return events;
  }

  private joinBridge(state: ChannelState, bridge: string, holding: boolean): BridgeState {
    let members = this.bridges.get(bridge);
    if (!members) {
      members = { members: new Set(), holding };
      this.bridges.set(bridge, members);
    }
    if (holding) members.holding = true;
    members.members.add(state.uniqueid);
    state.bridge = bridge;
    return members;
  }

  private leaveBridge(uniqueid: string): void {
    const state = this.channels.get(uniqueid);
    if (!state?.bridge) return;
    const bridge = this.bridges.get(state.bridge);
    bridge?.members.delete(uniqueid);
    if (bridge?.members.size === 0) this.bridges.delete(state.bridge);
    state.bridge = undefined;
  }

  /** The earliest Linkedid among a bridge's channels: the call the caller is on. */
  private callIdOf(uniqueids: readonly string[]): string {
    let best: string | undefined;
    for (const uniqueid of uniqueids) {
      const linkedid = this.channels.get(uniqueid)?.linkedid;
      if (linkedid && (best === undefined || earlier(linkedid, best))) best = linkedid;
    }
    return best ?? (uniqueids[0] as string);
  }

  private start(state: ChannelState, callId: string, at: Date): CallEventInput | undefined {
    const agent = this.classifier.agentOf(state.channel, state.callerIdNum);
    if (!agent) return undefined;
    const direction = this.directionOf(callId);
    state.started = { callId, agent, direction };
    const other = present(state.connectedNum)
      ? { number: state.connectedNum, ...(state.connectedName ? { name: state.connectedName } : {}) }
      : undefined;
    const self = { number: agent };
    const agentCalled = state.uniqueid === callId;
    return {
      type: 'call.started',
      callId,
      at,
      direction,
      agent: { by: 'extension', value: agent },
      ...(agentCalled
        ? { from: self, ...(other ? { to: other } : {}) }
        : { to: self, ...(other ? { from: other } : {}) }),
    };
  }

  private hangup(uniqueid: string, message: AmiMessage, at: Date): CallEventInput[] {
    const cause = message['cause-txt'];
    const event = this.endChannel(uniqueid, at, present(cause) ? cause : undefined);
    return event ? [event] : [];
  }

  private endChannel(uniqueid: string, at: Date, reason: string | undefined): CallEventInput | undefined {
    const state = this.channels.get(uniqueid);
    const recording =
      state?.recording ??
      (state?.started && this.calls.get(state.started.callId)?.recording) ??
      (state && this.calls.get(state.linkedid)?.recording);
    this.leaveBridge(uniqueid);
    this.forget(uniqueid);
    if (!state?.started) return undefined;
    const { callId, agent, direction } = state.started;
    return {
      type: 'call.ended',
      callId,
      at,
      direction,
      agent: { by: 'extension', value: agent },
      ...(reason ? { reason: reason.slice(0, 256) } : {}),
      ...(recording ? { recording: { file: recording } } : {}),
    };
  }

  /** A recording belongs to its channel and to the call the channel is on (MixMonitor often runs on the far end). */
  private noteRecording(uniqueid: string, file: string): void {
    const state = this.channels.get(uniqueid);
    if (!state) return;
    state.recording = file;
    const call = this.calls.get(state.linkedid);
    if (call) call.recording = file;
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
