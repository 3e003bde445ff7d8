import { type CallDirection, type CallEventInput, ReconcileWindow } from '@deskrec/core';
import type { AmiMessage } from './ami-parser.js';
import type { AmiTracker, LiveChannel, ReconcileResult, TrackResult } from './call-tracker.js';
import { ChannelClassifier, type ChannelKind, earlier, present } from './channel-kind.js';
import type { AsteriskOptions } from './options.js';

/** The AMI 1.x (Asterisk 1.8 to 11) events the legacy tracker reads. */
export const LEGACY_EVENTS = [
  'Newchannel',
  'Dial',
  'LocalBridge',
  'Rename',
  'Bridge',
  'Link',
  'Hangup',
] as const;
const USED = new Set<string>(LEGACY_EVENTS.map((e) => e.toLowerCase()));

interface LegacyChannel {
  uniqueid: string;
  name: string;
  kind: ChannelKind;
  /** The call this channel belongs to: its own Uniqueid, or the root of the channel that dialed it. */
  root: string;
  callerIdNum?: string;
  context?: string;
  started?: { callId: string; agent: string; direction: CallDirection };
}

const MAX_CHANNELS = 20_000;

/**
 * Call events from AMI 1.x, which has no Linkedid and no BridgeEnter (ADR 0009). A call's id is the Uniqueid
 * of the channel that began it, followed through `Dial` (SubEvent Begin: the destination joins the caller's
 * call) and `LocalBridge` (the two halves of a Local channel). An agent is on the call once `Bridge`
 * (Bridgestate Link) or `Link` joins its channel to another, on the earlier of the two channels' calls; it
 * leaves at its Hangup. A masquerade (pickup, transfer, Local optimisation) shows as `Rename` events: the
 * device's name moves to another Uniqueid, and an agent already on a call moves with it instead of ending.
 */
export class LegacyCallTracker implements AmiTracker {
  private readonly channels = new Map<string, LegacyChannel>();
  /** Name → Uniqueid, to read `Bridge` events that name channels and to follow renames. */
  private readonly byName = new Map<string, string>();
  /** A device being masqueraded away: its base name → the Uniqueid it leaves (renamed to `…<MASQ>`). */
  private readonly leaving = new Map<string, string>();
  /** An agent's call whose device was masqueraded off its Uniqueid, until the device's name shows up again. */
  private readonly orphans = new Map<string, NonNullable<LegacyChannel['started']>>();
  private readonly classifier: ChannelClassifier;
  /** Call id → how it began and whether a trunk took part; outlives the channels, bounded like them. */
  private readonly calls = new Map<string, { origin: ChannelKind; trunk: boolean }>();
  private window: ReconcileWindow<string> | undefined;

  constructor(
    options: AsteriskOptions,
    private readonly now: () => Date,
  ) {
    this.classifier = new ChannelClassifier(options);
  }

  static wants(message: AmiMessage): boolean {
    const event = message.event;
    return event !== undefined && USED.has(event.toLowerCase());
  }

  wants(message: AmiMessage): boolean {
    return LegacyCallTracker.wants(message);
  }

  get openCalls(): number {
    let open = 0;
    for (const channel of this.channels.values()) if (channel.started) open++;
    return open;
  }

  track(message: AmiMessage): TrackResult {
    const at = this.timeOf(message);
    if (!at) {
      return { events: [], problem: { message: `AMI ${message.event} event with an unreadable Timestamp` } };
    }
    switch (message.event?.toLowerCase()) {
      case 'newchannel':
        if (present(message.uniqueid) && present(message.channel))
          this.remember(message.uniqueid, message.channel, message);
        return { events: [] };
      case 'dial':
        if (
          message.subevent?.toLowerCase() === 'begin' &&
          present(message.uniqueid) &&
          present(message.destuniqueid)
        ) {
          const from = this.channels.get(message.uniqueid);
          const to = this.remember(message.destuniqueid, message.destination ?? '', {});
          if (from && !to.started) this.setRoot(to, from.root);
        }
        return { events: [] };
      case 'localbridge': {
        const one = present(message.uniqueid1) ? this.channels.get(message.uniqueid1) : undefined;
        const two = present(message.uniqueid2) ? this.channels.get(message.uniqueid2) : undefined;
        if (one && two && !two.started) this.setRoot(two, one.root);
        return { events: [] };
      }
      case 'rename':
        if (present(message.uniqueid) && present(message.newname))
          this.rename(message.uniqueid, message.newname);
        return { events: [] };
      case 'bridge':
      case 'link': {
        const state = (message.bridgestate ?? 'Link').toLowerCase();
        if (state !== 'link') return { events: [] };
        return { events: this.link(message, at) };
      }
      case 'hangup': {
        if (!present(message.uniqueid)) return { events: [] };
        this.window?.end(message.uniqueid);
        const cause = message['cause-txt'];
        const ended = this.end(message.uniqueid, at, present(cause) ? cause : undefined);
        return { events: ended ? [ended] : [] };
      }
      default:
        return { events: [] };
    }
  }

  beginReconcile(): void {
    this.window = new ReconcileWindow(this.channels.keys());
  }

  abortReconcile(): void {
    this.window = undefined;
  }

  /** Asterisk 11's CoreShowChannel rows pair channels by `BridgedUniqueID` instead of a bridge id. */
  reconcile(rows: readonly LiveChannel[], at: Date): ReconcileResult {
    const window = this.window ?? new ReconcileWindow<string>(this.channels.keys());
    this.window = undefined;
    const uid = (row: LiveChannel) => row.uniqueid ?? row.uniqueID;
    const live = new Set(rows.map(uid).filter(present));
    const events: CallEventInput[] = [];
    let ended = 0;
    for (const uniqueid of window.stale(live)) {
      const event = this.end(uniqueid, at, 'gone from the PBX (found by reconciliation)');
      if (event) {
        events.push(event);
        ended++;
      }
    }
    for (const row of rows) {
      const uniqueid = uid(row);
      if (present(uniqueid) && present(row.channel) && window.stillLive(uniqueid))
        this.remember(uniqueid, row.channel, row);
    }
    let started = 0;
    for (const row of rows) {
      const a = uid(row);
      const b = row.bridgeduniqueid;
      if (!present(a) || !present(b)) continue;
      const one = this.channels.get(a);
      const two = this.channels.get(b);
      if (!one || !two) continue;
      for (const event of this.join(one, two, at)) {
        events.push(event);
        started++;
      }
    }
    return { events, ended, started };
  }

  endAll(at: Date, reason: string): CallEventInput[] {
    const events: CallEventInput[] = [];
    for (const uniqueid of [...this.channels.keys()]) {
      const event = this.end(uniqueid, at, reason);
      if (event) events.push(event);
    }
    return events;
  }

  private remember(uniqueid: string, name: string, message: AmiMessage): LegacyChannel {
    let channel = this.channels.get(uniqueid);
    if (!channel) {
      channel = { uniqueid, name, root: uniqueid, kind: this.classifier.kindOf(name, message.context) };
      this.channels.set(uniqueid, channel);
      if (!this.calls.has(uniqueid)) {
        this.calls.set(uniqueid, { origin: channel.kind, trunk: channel.kind === 'trunk' });
        if (this.calls.size > MAX_CHANNELS) this.calls.delete(this.calls.keys().next().value as string);
      }
      if (this.channels.size > MAX_CHANNELS)
        this.end(this.channels.keys().next().value as string, this.now(), undefined);
    }
    if (name && channel.name !== name) this.rename(uniqueid, name);
    if (present(message.calleridnum)) channel.callerIdNum = message.calleridnum;
    if (present(message.context)) channel.context = message.context;
    if (name) this.byName.set(name, uniqueid);
    return channel;
  }

  private setRoot(channel: LegacyChannel, root: string): void {
    channel.root = root;
    const call = this.calls.get(root);
    if (call && channel.kind === 'trunk') call.trunk = true;
  }

  private rename(uniqueid: string, newName: string): void {
    const channel = this.channels.get(uniqueid);
    if (!channel) return;
    this.window?.touch(uniqueid);
    if (this.byName.get(channel.name) === uniqueid) this.byName.delete(channel.name);
    const masq = /^(.*)<MASQ>$/.exec(newName);
    if (masq?.[1]) this.leaving.set(masq[1], uniqueid);
    const base = newName.replace(/<(MASQ|ZOMBIE)>$/, '');
    if (channel.started && !masq && base !== channel.name) {
      // Another device takes this Uniqueid over: the agent's device ends up elsewhere (often as the zombie).
      this.orphans.set(channel.name, channel.started);
      channel.started = undefined;
    }
    const orphan = this.orphans.get(base);
    if (orphan && !channel.started) {
      this.orphans.delete(base);
      channel.started = orphan;
    }
    channel.name = newName;
    this.byName.set(newName, uniqueid);
    if (/<(MASQ|ZOMBIE)>$/.test(newName)) return;
    channel.kind = this.classifier.kindOf(newName, channel.context);
    // The device that left another Uniqueid now lives here: an agent already on a call moves with it.
    const from = this.leaving.get(newName);
    if (from === undefined || from === uniqueid) return;
    this.leaving.delete(newName);
    const old = this.channels.get(from);
    if (!old) return;
    // The surviving channel belongs to the older of the two calls (a pickup's caller, a transferee's call).
    if (earlier(old.root, channel.root)) this.setRoot(channel, old.root);
    if (old.started && !channel.started) {
      channel.started = old.started;
      old.started = undefined;
    }
  }

  private link(message: AmiMessage, at: Date): CallEventInput[] {
    const find = (uid: string | undefined, name: string | undefined) =>
      (present(uid) ? this.channels.get(uid) : undefined) ??
      (present(name) ? this.channels.get(this.byName.get(name) ?? '') : undefined);
    const one = find(message.uniqueid1, message.channel1);
    const two = find(message.uniqueid2, message.channel2);
    if (!one || !two) return [];
    this.window?.touch(one.uniqueid);
    this.window?.touch(two.uniqueid);
    return this.join(one, two, at);
  }

  private join(one: LegacyChannel, two: LegacyChannel, at: Date): CallEventInput[] {
    const callId = earlier(two.root, one.root) ? two.root : one.root;
    const events: CallEventInput[] = [];
    for (const channel of [one, two]) {
      if (channel.kind !== 'agent' || channel.started) continue;
      const agent = this.classifier.agentOf(channel.name, channel.callerIdNum);
      if (!agent) continue;
      const direction = this.directionOf(callId);
      channel.started = { callId, agent, direction };
      events.push({ type: 'call.started', callId, at, direction, agent: { by: 'extension', value: agent } });
    }
    return events;
  }

  private end(uniqueid: string, at: Date, reason: string | undefined): CallEventInput | undefined {
    const channel = this.channels.get(uniqueid);
    this.channels.delete(uniqueid);
    if (!channel) return undefined;
    if (this.byName.get(channel.name) === uniqueid) this.byName.delete(channel.name);
    if (!channel.started) return undefined;
    const { callId, agent, direction } = channel.started;
    return {
      type: 'call.ended',
      callId,
      at,
      direction,
      agent: { by: 'extension', value: agent },
      ...(reason ? { reason: reason.slice(0, 256) } : {}),
    };
  }

  /** How the call began tells the direction, as Linkedid's channel does on AMI 2. */
  private directionOf(root: string): CallDirection {
    const call = this.calls.get(root);
    switch (call?.origin) {
      case 'trunk':
        return 'inbound';
      case 'agent':
      case 'other':
        return call.trunk ? 'outbound' : 'internal';
      case 'local':
        return call.trunk ? 'outbound' : 'unknown';
      default:
        return 'unknown';
    }
  }

  private timeOf(message: AmiMessage): Date | undefined {
    const stamp = message.timestamp;
    if (stamp === undefined) return this.now();
    const seconds = Number(stamp);
    if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
    return new Date(Math.round(seconds * 1000));
  }
}
