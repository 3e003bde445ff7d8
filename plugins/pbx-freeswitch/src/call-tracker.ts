import { type CallDirection, type CallEventInput, ReconcileWindow, type SourceProblem } from '@deskrec/core';
import { type CallcenterAction, callcenterAction } from './callcenter.js';
import type { FreeswitchOptions } from './options.js';
import { RecordingNames } from './recording-file.js';

/** The events the source subscribes to; CHANNEL_HANGUP is read too when a server sends it. */
export const SUBSCRIBED_EVENTS = [
  'CHANNEL_CREATE',
  'CHANNEL_ANSWER',
  'CHANNEL_BRIDGE',
  'CHANNEL_HANGUP_COMPLETE',
] as const;
const USED = new Set<string>([...SUBSCRIBED_EVENTS, 'CHANNEL_HANGUP']);

/** One row of `show calls as json`: a leg's columns, and its bridged partner's prefixed `b_`. */
export type LiveCallRow = Record<string, string | undefined>;

export interface ReconcileResult {
  events: CallEventInput[];
  live: number;
  ended: number;
  started: number;
}

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
  /** mod_callcenter named this leg's agent (CC-Agent): kept even when the headers find no extension. */
  callcenterAgent?: string;
  from?: string;
  to?: string;
  /** The last recording file named on this leg. */
  recording?: string;
}

interface CallState {
  /** The leg that began the call: its Unique-ID equals Channel-Call-UUID. */
  origin?: 'trunk' | 'phone';
  trunk: boolean;
  legs: Set<string>;
  /** The last recording file a leg of the call named (record_session usually runs on the A-leg). */
  recording?: string;
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
  /** mod_callcenter agent name → the agent's leg of its current queue call. */
  private readonly callcenterLegs = new Map<string, string>();
  private window: ReconcileWindow<string> | undefined;
  private readonly recordings: RecordingNames;

  constructor(
    private readonly options: FreeswitchOptions,
    private readonly now: () => Date,
  ) {
    this.recordings = new RecordingNames(options);
    this.agentPattern = new RegExp(options.agentExtensionPattern);
    this.trunkPatterns = options.trunkChannelPatterns.map((p) => new RegExp(p));
  }

  static wants(event: EslEvent): boolean {
    return (
      USED.has(event['Event-Name'] ?? '') ||
      RecordingNames.isRecordingEvent(event) ||
      callcenterAction(event) !== undefined
    );
  }

  /** Agents currently on a call. */
  get openCalls(): number {
    let open = 0;
    for (const leg of this.legs.values()) if (leg.started) open++;
    return open;
  }

  track(event: EslEvent): TrackResult {
    const name = event['Event-Name'];
    const at = this.timeOf(event);
    if (!at) return this.bad(`FreeSWITCH ${name} event with an unreadable Event-Date-Timestamp`, event);
    const callcenter = callcenterAction(event);
    if (callcenter) return this.callcenter(callcenter, event, at);
    const uuid = event['Unique-ID'];
    if (!present(uuid)) return this.bad(`FreeSWITCH ${name} event without Unique-ID`, event);
    const recording = this.recordings.fileIn(event);
    if (name === 'CHANNEL_HANGUP' || name === 'CHANNEL_HANGUP_COMPLETE') {
      if (recording) this.noteRecording(uuid, recording);
      this.window?.end(uuid);
      return { events: this.hangup(uuid, event, at) };
    }
    this.window?.touch(uuid);
    const leg = this.remember(uuid, event);
    if (recording) this.noteRecording(uuid, recording);
    if (RecordingNames.isRecordingEvent(event)) return { events: [] };
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

  /** Starts a reconciliation: events from now on are noted against the list FreeSWITCH is about to send. */
  beginReconcile(): void {
    this.window = new ReconcileWindow(this.legs.keys());
  }

  abortReconcile(): void {
    this.window = undefined;
  }

  /**
   * Applies `show calls as json`: agents on legs FreeSWITCH no longer has leave their calls; agent legs it
   * shows bridged (or answered, with `startOn: answer`) that are not on a call here join it.
   */
  reconcile(rows: readonly LiveCallRow[], at: Date): ReconcileResult {
    const window = this.window ?? new ReconcileWindow<string>(this.legs.keys());
    this.window = undefined;
    const seen: { row: LiveCallRow; prefix: '' | 'b_'; callId: string; bridged: boolean }[] = [];
    for (const row of rows) {
      const a = row.uuid;
      if (!present(a)) continue;
      const callId = present(row.call_uuid) ? row.call_uuid : a;
      const bridged = present(row.b_uuid);
      seen.push({ row, prefix: '', callId, bridged });
      if (bridged) seen.push({ row, prefix: 'b_', callId, bridged });
    }
    const live = new Set(seen.map(({ row, prefix }) => row[`${prefix}uuid`] as string));
    const events: CallEventInput[] = [];
    let ended = 0;
    for (const uuid of window.stale(live)) {
      const event = this.endLeg(uuid, at, 'gone from FreeSWITCH (found by reconciliation)');
      if (event) {
        events.push(event);
        ended++;
      }
    }
    let started = 0;
    for (const { row, prefix, callId, bridged } of seen) {
      const uuid = row[`${prefix}uuid`] as string;
      if (!window.stillLive(uuid)) continue;
      const leg = this.remember(uuid, liveRowAsEvent(row, prefix, callId));
      const state = row[`${prefix}callstate`];
      if (state === 'ACTIVE' || state === 'HELD') leg.answered = true;
      if (bridged) leg.bridged = true;
      const before = events.length;
      this.start(leg, at, events);
      started += events.length - before;
    }
    return { events, live: live.size, ended, started };
  }

  /** FreeSWITCH is going away: every agent still on a call leaves it with `reason`. */
  endAll(at: Date, reason: string): CallEventInput[] {
    const events: CallEventInput[] = [];
    for (const uuid of [...this.legs.keys()]) {
      const event = this.endLeg(uuid, at, reason);
      if (event) events.push(event);
    }
    return events;
  }

  /**
   * mod_callcenter's view: bridge-agent-start names the agent and the member (caller) it is bridged to, so
   * the agent joins the caller's call even when its own leg's headers carry no extension; bridge-agent-end,
   * or the agent going back to Waiting/Idle, ends it.
   */
  private callcenter(action: CallcenterAction, event: EslEvent, at: Date): TrackResult {
    if (action.kind === 'state') {
      const uuid = this.callcenterLegs.get(action.agent);
      if (!uuid || !/^(waiting|idle)$/i.test(action.state)) return { events: [] };
      this.callcenterLegs.delete(action.agent);
      const ended = this.endLeg(uuid, at, `callcenter agent state ${action.state}`);
      return { events: ended ? [ended] : [] };
    }
    if (action.kind === 'end') {
      const uuid = action.agentUuid ?? this.callcenterLegs.get(action.agent);
      this.callcenterLegs.delete(action.agent);
      if (!uuid) return { events: [] };
      this.window?.end(uuid);
      const ended = this.endLeg(uuid, at, action.cause ?? 'callcenter bridge ended');
      return { events: ended ? [ended] : [] };
    }
    const extension = action.agent.split('@')[0] ?? '';
    if (!action.agentUuid || !this.agentPattern.test(extension)) {
      return this.bad('mod_callcenter bridge-agent-start without CC-Agent-UUID or a matching agent', event);
    }
    this.window?.touch(action.agentUuid);
    const member = action.memberUuid ? this.legs.get(action.memberUuid) : undefined;
    const callId = member?.callId ?? action.memberUuid ?? action.agentUuid;
    let leg = this.legs.get(action.agentUuid);
    if (!leg) {
      leg = { uuid: action.agentUuid, callId, trunk: false, answered: true, bridged: true };
      this.legs.set(leg.uuid, leg);
    }
    this.callcenterLegs.set(action.agent, leg.uuid);
    if (leg.started) return { events: [] };
    if (leg.callId !== callId) {
      this.calls.get(leg.callId)?.legs.delete(leg.uuid);
      leg.callId = callId;
    }
    leg.trunk = false;
    leg.agent = extension;
    leg.callcenterAgent = action.agent;
    leg.answered = true;
    leg.bridged = true;
    if (action.callerNumber) leg.from = action.callerNumber;
    let call = this.calls.get(callId);
    if (!call) {
      // The member leg was not seen (the source connected later): a queue call comes in.
      call = { trunk: true, legs: new Set(), origin: 'trunk' };
      this.calls.set(callId, call);
    }
    call.legs.add(leg.uuid);
    const events: CallEventInput[] = [];
    this.start(leg, at, events);
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
    const cause = event['Hangup-Cause'];
    const ended = this.endLeg(uuid, at, present(cause) ? cause : undefined);
    return ended ? [ended] : [];
  }

  private endLeg(uuid: string, at: Date, reason: string | undefined): CallEventInput | undefined {
    const leg = this.legs.get(uuid);
    const recording =
      leg?.recording ??
      (leg?.started && this.calls.get(leg.started.callId)?.recording) ??
      (leg && this.calls.get(leg.callId)?.recording);
    this.forget(uuid);
    if (!leg?.started || !leg.agent) return undefined;
    return {
      type: 'call.ended',
      callId: leg.started.callId,
      at,
      direction: leg.started.direction,
      agent: { by: 'extension', value: leg.agent },
      ...(reason ? { reason: reason.slice(0, 256) } : {}),
      ...(recording ? { recording: { file: recording } } : {}),
    };
  }

  private noteRecording(uuid: string, file: string): void {
    const leg = this.legs.get(uuid);
    if (!leg) return;
    leg.recording = file;
    const call = this.calls.get(leg.callId);
    if (call) call.recording = file;
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

/** `1001@pbx.example.org` → `1001`. */
const userOf = (presence: string | undefined): string | undefined =>
  present(presence) ? presence.split('@')[0] : undefined;

/**
 * A `show calls` leg in the header names the tracker reads from events, so one `describe` finds agents in
 * both. The list has no SIP headers: the presence id (`user@domain`) stands in for the SIP user, which is
 * what FreeSWITCH sets it from for registered phones.
 */
function liveRowAsEvent(row: LiveCallRow, prefix: '' | 'b_', callId: string): EslEvent {
  const field = (name: string) => row[`${prefix}${name}`] ?? '';
  const user = userOf(field('presence_id')) ?? '';
  const headers: EslEvent = Object.create(null);
  headers['Unique-ID'] = field('uuid');
  headers['Channel-Call-UUID'] = callId;
  headers['Channel-Name'] = field('name');
  headers['Call-Direction'] = field('direction');
  headers['Caller-Caller-ID-Number'] = field('cid_num');
  headers['Caller-Destination-Number'] = field('dest');
  headers['Caller-Username'] = user;
  headers.variable_sip_from_user = user;
  headers.variable_dialed_user = user;
  return headers;
}
