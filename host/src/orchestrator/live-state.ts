import { type Clock, TOKENS, type WorkstationState } from '@deskrec/core';
import type { CallLegsRepo } from '../db/repos/call-legs.js';
import type { RecordingsRepo } from '../db/repos/recordings.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import type { AgentChannel, AgentEvent } from '../workstations/ports.js';
import { loginsMatch } from './login-match.js';

/** A capture a new call of the same workstation can join (running, not asked to stop). */
export interface LiveCapture {
  recordingId: string;
  captureId: string;
}

/** What the orchestrator decided for one agent on one call. */
export interface LiveLeg {
  recordingId: string | null;
  workstationId: string | null;
  ended: boolean;
}

interface Presence {
  login: string | null;
  state: WorkstationState;
  at: number;
}

/** Ended legs kept per tenant to recognise a repeated event without a database read. */
const ENDED_LEGS_KEPT = 50_000;

/** Running captures and call legs of one tenant; loaded once from the database, then kept by the orchestrator. */
export class TenantState {
  constructor(readonly tenantId: string) {}

  readonly captures = new Map<string, LiveCapture>();
  private readonly workstationOf = new Map<string, string>();
  readonly legs = new Map<string, LiveLeg>();
  private readonly openLegs = new Map<string, Set<string>>();
  private readonly endedOrder: string[] = [];

  setCapture(workstationId: string, capture: LiveCapture): void {
    this.captures.set(workstationId, capture);
    this.workstationOf.set(capture.recordingId, workstationId);
  }

  /** The recording no longer takes new calls (asked to stop, ended or never started). */
  dropCapture(recordingId: string): void {
    const workstationId = this.workstationOf.get(recordingId);
    if (workstationId === undefined) return;
    this.workstationOf.delete(recordingId);
    if (this.captures.get(workstationId)?.recordingId === recordingId) this.captures.delete(workstationId);
  }

  workstationOfRecording(recordingId: string): string | undefined {
    return this.workstationOf.get(recordingId);
  }

  /** The agent reported the end of this capture, or its workstation went away. */
  dropCaptureOf(workstationId: string, captureId?: string): void {
    const capture = this.captures.get(workstationId);
    if (capture && (captureId === undefined || capture.captureId === captureId))
      this.dropCapture(capture.recordingId);
  }

  /** Whether a call still going holds the recording. */
  hasOpenLegs(recordingId: string): boolean {
    return (this.openLegs.get(recordingId)?.size ?? 0) > 0;
  }

  setLeg(key: string, leg: LiveLeg): void {
    const before = this.legs.get(key)?.recordingId;
    if (before) {
      const open = this.openLegs.get(before);
      open?.delete(key);
      if (open?.size === 0) this.openLegs.delete(before);
    }
    if (leg.recordingId && !leg.ended)
      this.openLegs.set(leg.recordingId, (this.openLegs.get(leg.recordingId) ?? new Set()).add(key));
    this.legs.set(key, leg);
    if (!leg.ended) return;
    this.endedOrder.push(key);
    while (this.endedOrder.length > ENDED_LEGS_KEPT) {
      const oldest = this.endedOrder.shift()!;
      if (this.legs.get(oldest)?.ended) this.legs.delete(oldest);
    }
  }
}

export const legKey = (sourceId: string, callId: string, agent: { by: string; value: string }) =>
  `${sourceId}\n${callId}\n${agent.by}\n${agent.value}`;

/**
 * The orchestrator's memory: which agents are connected with which login (from the controller's events), and
 * per tenant the running captures and call legs. It lets a call start be decided and sent without waiting
 * for the database; the database stays the record and is written right after.
 */
/** The account name without its domain, lower-cased: what two matching logins share (see loginsMatch). */
const accountOf = (login: string) => login.toLowerCase().trim().split('\\', 2).pop()!;

@injectable()
export class LiveState {
  private readonly presence = new Map<string, Map<string, Presence>>();
  /** tenant → account name → workstations signed in with it, so a lookup never scans every agent. */
  private readonly byAccount = new Map<string, Map<string, Set<string>>>();
  private readonly tenants = new Map<string, TenantState>();
  private readonly loading = new Map<string, Promise<TenantState>>();

  constructor(
    @inject(HOST_TOKENS.RecordingsRepo) private readonly recordings: RecordingsRepo,
    @inject(HOST_TOKENS.CallLegsRepo) private readonly legs: CallLegsRepo,
    @inject(HOST_TOKENS.AgentChannel) private readonly channel: Pick<AgentChannel, 'isOnline'>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** Applied when the controller reports it, ahead of the queued handling of the same event. */
  notePresence(event: AgentEvent): void {
    if (event.type === 'capture') return;
    const known = this.presence.get(event.tenantId)?.get(event.workstationId);
    const next: Presence | undefined =
      event.type === 'connected'
        ? { login: event.login, state: event.state, at: this.clock.now().getTime() }
        : event.type === 'session'
          ? known && { ...known, login: event.login, at: this.clock.now().getTime() }
          : event.type === 'authorization' && event.state !== 'deleted'
            ? known && { ...known, state: event.state }
            : undefined;
    this.setPresence(event.tenantId, event.workstationId, next);
  }

  private setPresence(tenantId: string, workstationId: string, next: Presence | undefined): void {
    const tenant = this.presence.get(tenantId) ?? new Map<string, Presence>();
    this.presence.set(tenantId, tenant);
    const accounts = this.byAccount.get(tenantId) ?? new Map<string, Set<string>>();
    this.byAccount.set(tenantId, accounts);
    const before = tenant.get(workstationId)?.login;
    if (before) {
      const set = accounts.get(accountOf(before));
      set?.delete(workstationId);
      if (set?.size === 0) accounts.delete(accountOf(before));
    }
    if (!next) {
      tenant.delete(workstationId);
      return;
    }
    tenant.set(workstationId, next);
    if (next.login) {
      const account = accountOf(next.login);
      accounts.set(account, (accounts.get(account) ?? new Set()).add(workstationId));
    }
  }

  /** An authorized, connected workstation where the login is in use; the most recent sign-in wins. */
  workstationFor(tenantId: string, userLogin: string): string | undefined {
    let best: { id: string; at: number } | undefined;
    const presence = this.presence.get(tenantId);
    for (const id of this.byAccount.get(tenantId)?.get(accountOf(userLogin)) ?? []) {
      const p = presence?.get(id);
      if (p?.state !== 'authorized' || !p.login || !loginsMatch(userLogin, p.login)) continue;
      if (!this.channel.isOnline(tenantId, id)) continue;
      if (!best || p.at > best.at) best = { id, at: p.at };
    }
    return best?.id;
  }

  peek(tenantId: string): TenantState | undefined {
    return this.tenants.get(tenantId);
  }

  /** Reads the tenant's running captures and open legs; run from the orchestrator's queue, so nothing changes meanwhile. */
  load(tenantId: string): Promise<TenantState> {
    const known = this.tenants.get(tenantId);
    if (known) return Promise.resolve(known);
    const running = this.loading.get(tenantId);
    if (running) return running;
    const load = (async () => {
      const state = new TenantState(tenantId);
      for (const c of await this.recordings.running(tenantId))
        state.setCapture(c.workstation_id, { recordingId: c.id, captureId: c.capture_id });
      const legs = await this.legs.open(tenantId);
      for (const l of legs) {
        state.setLeg(legKey(l.source_id, l.external_call_id, { by: l.agent_by, value: l.agent_value }), {
          recordingId: l.recording_id,
          workstationId: l.workstation_id,
          ended: false,
        });
      }
      this.tenants.set(tenantId, state);
      return state;
    })().finally(() => this.loading.delete(tenantId));
    this.loading.set(tenantId, load);
    return load;
  }
}
