import { randomBytes, randomUUID } from 'node:crypto';
import {
  type CallEvent,
  captureSettingsOf,
  type Logger,
  PROTOCOL_VERSION,
  type ScreenRecordingSettings,
} from '@deskrec/core';
import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { SettingsRepo } from '../db/repos/settings.js';
import type { UsersRepo, UserView } from '../db/repos/users.js';
import type { Database, Job } from '../db/schema.js';
import { FETCH_AUDIO_JOB } from '../jobs/fetch-audio.js';
import type { SegmentsRepo } from '../recordings/segments-repo.js';
import { newUploadToken } from '../recordings/upload-grants.js';
import type { AgentChannel, AgentEvent } from '../workstations/ports.js';
import {
  callTag,
  decideStart,
  legTag,
  type StartDecision,
  type StartOutcome,
  workstationTag,
} from './decide-start.js';
import { LiveDirectory, type TenantDirectory } from './live-directory.js';
import { LiveState, legKey, type TenantState } from './live-state.js';
import { loginsMatch } from './login-match.js';
import type { CallLegsTable, OrchestratorDatabase } from './schema.js';
import { TaskQueue } from './task-queue.js';

export const CAPTURE_STOP_JOB = 'capture-stop';

/** Agent reports after which a capture takes no new call. */
const ENDS = new Set(['capture.stopped', 'capture.failed', 'capture.refused']);

export interface OrchestratorOptions {
  db: Kysely<OrchestratorDatabase>;
  channel: AgentChannel;
  jobs: JobsRepo;
  settings: SettingsRepo;
  users: UsersRepo;
  segments: SegmentsRepo;
  logger: Logger;
  /** Called after a job was queued, so the runner picks it up without waiting for its next poll. */
  onJobQueued?: () => void;
}

type Leg = Selectable<CallLegsTable>;

/** The ids and upload token of a capture about to be asked for. */
interface NewCapture {
  recordingId: string;
  captureId: string;
  token: ReturnType<typeof newUploadToken>;
}

const newCapture = (): NewCapture => ({
  recordingId: randomUUID(),
  captureId: `cap_${randomBytes(12).toString('hex')}`,
  token: newUploadToken(),
});

/** A new capture's recording row, state "recording" from now. */
function recordingRow(
  tenantId: string,
  workstationId: string,
  userId: string,
  capture: { recordingId: string; captureId: string; tokenHash: string },
): Insertable<Database['recordings']> {
  return {
    id: capture.recordingId,
    tenant_id: tenantId,
    workstation_id: workstationId,
    user_id: userId,
    capture_id: capture.captureId,
    state: 'recording',
    started_at: new Date(),
    ended_at: null,
    end_reason: null,
    upload_token_hash: capture.tokenHash,
  };
}

/** The durable stop at the tenant's maximum recording duration, whatever the calls do. */
function maxDurationJob(recordingId: string, settings: ScreenRecordingSettings) {
  return {
    kind: CAPTURE_STOP_JOB,
    payload: { recordingId, reason: 'max-duration' },
    runAfter: new Date(Date.now() + settings.maxRecordingSeconds * 1000),
  };
}

/** What a new capture adds to its first leg's statement. */
interface NewCaptureRows {
  recording: Insertable<Database['recordings']>;
  job: ReturnType<typeof maxDurationJob>;
}

/** An end applied to memory ahead of the database; `stopped` when `capture.stop` was sent for it. */
interface CommittedEnd {
  stopped?: { recordingId: string; sent: boolean };
}

interface Decided {
  decision: StartDecision;
  state: TenantState;
  settings: ScreenRecordingSettings;
}

/** A start decided and already sent to the agent, waiting to be written down. */
interface CommittedStart {
  tenantId: string;
  sourceId: string;
  event: CallEvent;
  key: string;
  user: UserView | undefined;
  outcome:
    | Exclude<StartOutcome, { kind: 'start' }>
    | { kind: 'start'; workstationId: string; recordingId: string; captureId: string; tokenHash: string };
  settings: ScreenRecordingSettings;
}

/**
 * Turns call events into captures: finds the agent's user and workstation, starts one capture per
 * workstation however many calls overlap, keeps it through wrap-up, moves it with a transfer and records
 * every decision on the call. The database is the record, so events can arrive twice, late or in any order.
 *
 * Calls are decided from memory (users, settings, connected workstations, running captures, call legs):
 * `capture.start` and `capture.stop` go out as soon as the phone system reports the call, however busy the
 * database is, and the database is written right after. Work is queued per call and per workstation (see
 * TaskQueue), so each sees its events in order while unrelated calls proceed side by side; what memory
 * cannot settle (a repeated or late event, a sign-in) is decided from the database in turn.
 */
export class Orchestrator {
  private readonly queue = new TaskQueue();
  private readonly live: LiveState;
  private readonly directory: LiveDirectory;
  private readonly warming = new Set<string>();

  constructor(private readonly o: OrchestratorOptions) {
    this.live = new LiveState(o.db, (tenantId, workstationId) => o.channel.isOnline(tenantId, workstationId));
    this.directory = new LiveDirectory({ users: o.users, settings: o.settings });
  }

  handleCallEvent(tenantId: string, sourceId: string, event: CallEvent): Promise<void> {
    const afterwards = async () => {
      if (event.audioUrl) await this.queueAudio(tenantId, sourceId, event.callId, event.audioUrl);
    };
    if (event.type === 'call.started') {
      const decided = this.peekStart(tenantId, sourceId, event);
      const decision = decided?.decision;
      if (decision?.kind === 'decided' && this.queue.isClear(decision.tags)) {
        // Its effects are in memory already: the write blocks no later decision.
        const committed = this.commitStart(sourceId, event, { ...decided!, decision });
        return this.queue.run(
          decision.tags,
          async () => {
            await this.persistStart(committed);
            await afterwards();
          },
          { holds: false },
        );
      }
      return this.queue.run(decision?.tags, async () => {
        await this.started(tenantId, sourceId, event);
        await afterwards();
      });
    }
    const tags = this.endTags(tenantId, sourceId, event);
    const early = tags && this.queue.isClear(tags) ? this.commitEnd(tenantId, sourceId, event) : undefined;
    return this.queue.run(
      tags,
      async () => {
        await this.ended(tenantId, sourceId, event, early);
        await afterwards();
      },
      { holds: !early },
    );
  }

  /**
   * An end of a leg memory knows as open, applied to memory now: when no other call holds the capture and
   * there is no wrap-up, `capture.stop` goes out at once. Undefined when the database has to decide.
   */
  private commitEnd(tenantId: string, sourceId: string, event: CallEvent): CommittedEnd | undefined {
    const state = this.live.peek(tenantId);
    const directory = this.directory.peek(tenantId);
    const key = legKey(sourceId, event.callId, event.agent);
    const leg = state?.legs.get(key);
    if (!state || !directory || !leg || leg.ended) return undefined;
    state.setLeg(key, { ...leg, ended: true });
    const recordingId = leg.recordingId;
    if (!recordingId || state.hasOpenLegs(recordingId) || directory.settings.wrapUpSeconds > 0) return {};
    const workstationId = state.workstationOfRecording(recordingId);
    const capture = workstationId === undefined ? undefined : state.captures.get(workstationId);
    if (!workstationId || capture?.recordingId !== recordingId) return {};
    state.dropCapture(recordingId);
    const sent = this.o.channel.send(tenantId, workstationId, {
      v: PROTOCOL_VERSION,
      type: 'capture.stop',
      captureId: capture.captureId,
      reason: 'call ended',
    });
    return { stopped: { recordingId, sent } };
  }

  /** The decision memory allows now, or undefined while the tenant's memory is still loading. */
  private peekStart(tenantId: string, sourceId: string, event: CallEvent): Decided | undefined {
    const state = this.live.peek(tenantId);
    const directory = this.directory.peek(tenantId);
    if (!state || !directory) {
      if (!state && !this.warming.has(tenantId)) {
        // One load per tenant, however many events arrive before it is done.
        this.warming.add(tenantId);
        void this.queue
          .run(undefined, () => this.live.load(tenantId))
          .catch(() => undefined)
          .finally(() => this.warming.delete(tenantId));
      }
      return undefined;
    }
    return this.decide(tenantId, sourceId, event, state, directory);
  }

  private decide(
    tenantId: string,
    sourceId: string,
    event: CallEvent,
    state: TenantState,
    directory: TenantDirectory,
  ): Decided {
    const decision = decideStart({
      tenantId,
      sourceId,
      key: legKey(sourceId, event.callId, event.agent),
      event,
      state,
      directory,
      workstationFor: (t, login) => this.live.workstationFor(t, login),
    });
    return { decision, state, settings: directory.settings };
  }

  private endTags(tenantId: string, sourceId: string, event: CallEvent): string[] | undefined {
    const state = this.live.peek(tenantId);
    if (!state) return undefined;
    const key = legKey(sourceId, event.callId, event.agent);
    const workstationId = state.legs.get(key)?.workstationId;
    return [
      legTag(tenantId, key),
      callTag(tenantId, sourceId, event.callId),
      ...(workstationId ? [workstationTag(tenantId, workstationId)] : []),
    ];
  }

  /** Applies a start decision to memory and, for a new capture, sends `capture.start` now. */
  private commitStart(
    sourceId: string,
    event: CallEvent,
    { decision, state, settings }: Decided & { decision: Extract<StartDecision, { kind: 'decided' }> },
  ): CommittedStart {
    const tenantId = state.tenantId;
    const key = legKey(sourceId, event.callId, event.agent);
    const base = { tenantId, sourceId, event, key, user: decision.user, settings };
    const { outcome } = decision;
    if (outcome.kind === 'none') {
      state.setLeg(key, { recordingId: null, workstationId: null, ended: false });
      return { ...base, outcome };
    }
    const { workstationId } = outcome;
    if (outcome.kind === 'join') {
      state.setLeg(key, { recordingId: outcome.capture.recordingId, workstationId, ended: false });
      return { ...base, outcome };
    }
    const capture = newCapture();
    const { recordingId, captureId } = capture;
    if (!this.sendCaptureStart(tenantId, workstationId, capture, settings)) {
      state.setLeg(key, { recordingId: null, workstationId: null, ended: false });
      return {
        ...base,
        outcome: { kind: 'none', reason: 'agent-offline', detail: 'the workstation was not connected' },
      };
    }
    state.setCapture(workstationId, { recordingId, captureId });
    state.setLeg(key, { recordingId, workstationId, ended: false });
    return {
      ...base,
      outcome: { kind: 'start', workstationId, recordingId, captureId, tokenHash: capture.token.hash },
    };
  }

  /** Writes down a committed start: the call, the leg and, for a new capture, the recording and its limit. */
  private async persistStart(c: CommittedStart): Promise<void> {
    const { db } = this.o;
    const { tenantId, event, outcome, user } = c;
    const reason = outcome.kind === 'none' ? `${outcome.reason}: ${outcome.detail}` : null;
    const call = await this.upsertCall(tenantId, c.sourceId, event, {
      user_id: user?.id ?? null,
      no_recording_reason: reason,
    });
    const recordingId =
      outcome.kind === 'none'
        ? null
        : outcome.kind === 'join'
          ? outcome.capture.recordingId
          : outcome.recordingId;
    const leg: Leg = {
      id: randomUUID(),
      tenant_id: tenantId,
      call_id: call.id,
      agent_by: event.agent.by,
      agent_value: event.agent.value,
      user_id: user?.id ?? null,
      started_at: event.at,
      ended_at: null,
      recording_id: recordingId,
      no_recording_reason: outcome.kind === 'none' ? outcome.reason : null,
    };
    const inserted = await this.insertLeg(
      leg,
      outcome.kind === 'start'
        ? {
            recording: recordingRow(tenantId, outcome.workstationId, user!.id, outcome),
            job: maxDurationJob(outcome.recordingId, c.settings),
          }
        : undefined,
    );
    if (!inserted)
      return this.repeatedStart(
        c.tenantId,
        call.id,
        c.key,
        event,
        outcome.kind === 'start' ? outcome.recordingId : undefined,
      );
    // A call created just now already says all this; one that existed (a transfer, a second agent) is updated.
    if (!call.created) {
      await db
        .updateTable('calls')
        .set({
          state: 'active',
          ended_at: null,
          ...(user && !call.user_id ? { user_id: user.id } : {}),
          ...(recordingId ? { no_recording_reason: null } : {}),
        })
        .where('id', '=', call.id)
        .execute();
      if (reason) {
        await db
          .updateTable('calls')
          .set({ no_recording_reason: reason })
          .where('id', '=', call.id)
          .where('no_recording_reason', 'is', null)
          .execute();
      }
    }
    if (outcome.kind === 'none') {
      this.log(event.callId, `no screen recording (${outcome.reason})`, { detail: outcome.detail });
      return;
    }
    if (outcome.kind === 'join') {
      this.log(event.callId, 'joins the capture already running on the workstation', {
        recordingId,
        workstationId: outcome.workstationId,
      });
      return;
    }
    this.log(event.callId, 'capture started', {
      recordingId,
      captureId: outcome.captureId,
      workstationId: outcome.workstationId,
    });
  }

  /**
   * Inserts the leg unless it is on record already (false then) and, in the same statement, what goes with
   * it: the call's link to the leg's recording and, for a new capture, the recording itself (written even
   * when the leg is not, so the stop that follows finds it) and its max-duration stop. One statement
   * instead of up to four: at hundreds of calls a second the embedded database's cost is per statement.
   */
  private async insertLeg(leg: Leg, capture?: NewCaptureRows): Promise<boolean> {
    const { db } = this.o;
    const insertLeg = db
      .insertInto('call_legs')
      .values(leg)
      .onConflict((oc) => oc.columns(['tenant_id', 'call_id', 'agent_by', 'agent_value']).doNothing())
      .returning(['id', 'tenant_id', 'call_id', 'recording_id']);
    if (!leg.recording_id) return (await insertLeg.executeTakeFirst()) !== undefined;
    const linked = db
      .with('leg', () => insertLeg)
      .with('link', (q) =>
        q
          .insertInto('call_recordings')
          .columns(['tenant_id', 'call_id', 'recording_id'])
          .expression((eb) =>
            eb
              .selectFrom('leg')
              .select(['leg.tenant_id', 'leg.call_id', sql<string>`leg.recording_id`.as('r')]),
          )
          .onConflict((oc) => oc.doNothing())
          .returning('call_id'),
      );
    if (!capture) return (await linked.selectFrom('leg').select('leg.id').executeTakeFirst()) !== undefined;
    const { job } = capture;
    const row = await linked
      .with('recording', (q) => q.insertInto('recordings').values(capture.recording).returning('id'))
      .with('stop', (q) =>
        q
          .insertInto('jobs')
          .columns(['tenant_id', 'kind', 'payload', 'run_after'])
          .expression((eb) =>
            eb
              .selectFrom('leg')
              .select([
                'leg.tenant_id',
                sql<string>`${job.kind}::text`.as('kind'),
                sql<string>`${JSON.stringify(job.payload)}::jsonb`.as('payload'),
                sql<Date>`${job.runAfter}::timestamptz`.as('run_after'),
              ]),
          )
          .returning('id'),
      )
      .selectFrom('leg')
      .select('leg.id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The leg was already on record (memory did not know it: it ended before this host started, or long ago).
   * A capture started for it is stopped again; a start after the leg's end only completes the leg.
   */
  private async repeatedStart(
    tenantId: string,
    callId: string,
    key: string,
    event: CallEvent,
    startedRecordingId: string | undefined,
  ): Promise<void> {
    const existing = await this.findLeg(tenantId, callId, event);
    if (startedRecordingId) {
      await this.stopCapture(tenantId, startedRecordingId, 'repeated call start');
      await this.endRecording(
        tenantId,
        startedRecordingId,
        'none',
        'repeated start of a call already handled',
      );
    }
    if (existing) {
      this.live.peek(tenantId)?.setLeg(key, {
        recordingId: existing.recording_id,
        workstationId: null,
        ended: existing.ended_at !== null,
      });
    }
    if (existing?.ended_at && !existing.started_at) {
      await this.o.db
        .updateTable('call_legs')
        .set({ started_at: event.at })
        .where('id', '=', existing.id)
        .execute();
      this.log(
        event.callId,
        'start arrived after the end; the agent is no longer on the call, nothing to record',
      );
    } else this.log(event.callId, 'duplicate start ignored');
  }

  /** A start that could not be decided ahead: decided here, in turn, once memory is loaded. */
  private async started(tenantId: string, sourceId: string, event: CallEvent): Promise<void> {
    const state = await this.live.load(tenantId);
    const directory = this.directory.peek(tenantId) ?? (await this.directory.load(tenantId));
    const decided = this.decide(tenantId, sourceId, event, state, directory);
    const { decision } = decided;
    if (decision.kind === 'known-leg') {
      const call = await this.upsertCall(tenantId, sourceId, event);
      const key = legKey(sourceId, event.callId, event.agent);
      return this.repeatedStart(tenantId, call.id, key, event, undefined);
    }
    await this.persistStart(this.commitStart(sourceId, event, { ...decided, decision }));
  }

  /** The recorder announced where the call's audio is: fetch it once, in the background. */
  private async queueAudio(
    tenantId: string,
    sourceId: string,
    externalCallId: string,
    url: string,
  ): Promise<void> {
    const call = await this.o.db
      .selectFrom('calls')
      .select(['id', 'audio_key'])
      .where('tenant_id', '=', tenantId)
      .where('source_id', '=', sourceId)
      .where('external_call_id', '=', externalCallId)
      .executeTakeFirst();
    if (!call || call.audio_key) return;
    await this.o.jobs.enqueue(tenantId, FETCH_AUDIO_JOB, { callId: call.id, url });
    this.o.onJobQueued?.();
    this.log(externalCallId, 'audio announced; fetching it', { url });
  }

  handleAgentEvent(event: AgentEvent): Promise<void> {
    this.live.notePresence(event);
    // A capture that ended or a workstation that left takes no new call from now on.
    const state = this.live.peek(event.tenantId);
    if (event.type === 'disconnected') state?.dropCaptureOf(event.workstationId);
    if (event.type === 'capture' && ENDS.has(event.message.type))
      state?.dropCaptureOf(event.workstationId, event.message.captureId);
    // A sign-in may start captures for any waiting call (see startWaiting): that waits for everything.
    const keyed = event.type === 'capture' || event.type === 'disconnected';
    const tags = keyed ? [workstationTag(event.tenantId, event.workstationId)] : undefined;
    return this.queue
      .run(tags, () => this.agentEvent(event), { holds: !keyed })
      .catch((error: Error) =>
        this.o.logger.error(
          { err: error.message, event: event.type },
          'orchestrator could not apply an agent event',
        ),
      );
  }

  private log(callId: string, decision: string, detail: Record<string, unknown> = {}): void {
    this.o.logger.info({ callId, decision, ...detail }, `call ${callId}: ${decision}`);
  }

  /**
   * The call's row, created when missing. A start passes what a new row should say (the agent's user, why
   * nothing is recorded) and inserts first, since its call is usually new; an end looks it up first.
   */
  private async upsertCall(
    tenantId: string,
    sourceId: string,
    event: CallEvent,
    initial?: { user_id: string | null; no_recording_reason: string | null },
  ) {
    const { db } = this.o;
    const find = () =>
      db
        .selectFrom('calls')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('source_id', '=', sourceId)
        .where('external_call_id', '=', event.callId)
        .executeTakeFirst();
    if (!initial) {
      const existing = await find();
      if (existing) return { ...existing, created: false };
    }
    const inserted = await db
      .insertInto('calls')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        source_id: sourceId,
        external_call_id: event.callId,
        direction: event.direction,
        from_number: event.from?.number ?? null,
        from_name: event.from?.name ?? null,
        to_number: event.to?.number ?? null,
        to_name: event.to?.name ?? null,
        started_at: event.at,
        ended_at: null,
        user_id: initial?.user_id ?? null,
        extension: event.agent.by === 'extension' ? event.agent.value : null,
        state: 'active',
        no_recording_reason: initial?.no_recording_reason ?? null,
        audio_key: null,
        audio_target_id: null,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'source_id', 'external_call_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { ...inserted, created: true };
    const existing = await find();
    if (!existing) throw new Error(`call ${event.callId} was neither inserted nor found`);
    return { ...existing, created: false };
  }

  /**
   * Ends the event's leg if it is on record and open, found through its call in the same statement (the
   * usual end: one statement instead of three). Undefined when there is no such leg.
   */
  private async closeOpenLeg(tenantId: string, sourceId: string, event: CallEvent): Promise<Leg | undefined> {
    const { db } = this.o;
    return db
      .updateTable('call_legs')
      .set({ ended_at: event.at })
      .where('tenant_id', '=', tenantId)
      .where('agent_by', '=', event.agent.by)
      .where('agent_value', '=', event.agent.value)
      .where('ended_at', 'is', null)
      .where('call_id', 'in', (eb) =>
        eb
          .selectFrom('calls')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('source_id', '=', sourceId)
          .where('external_call_id', '=', event.callId),
      )
      .returningAll()
      .executeTakeFirst();
  }

  private async findLeg(tenantId: string, callId: string, event: CallEvent): Promise<Leg | undefined> {
    return (await this.o.db
      .selectFrom('call_legs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('call_id', '=', callId)
      .where('agent_by', '=', event.agent.by)
      .where('agent_value', '=', event.agent.value)
      .executeTakeFirst()) as Leg | undefined;
  }

  private async noRecording(leg: Leg, externalCallId: string, reason: string, detail: string): Promise<void> {
    const { db } = this.o;
    await db.updateTable('call_legs').set({ no_recording_reason: reason }).where('id', '=', leg.id).execute();
    await db
      .updateTable('calls')
      .set({ no_recording_reason: `${reason}: ${detail}` })
      .where('id', '=', leg.call_id)
      .where('no_recording_reason', 'is', null)
      .execute();
    this.log(externalCallId, `no screen recording (${reason})`, { detail });
  }

  /** A waiting leg's user became reachable (see startWaiting): join or start a capture on their workstation. */
  private async startFor(leg: Leg, key: string, user: UserView, externalCallId: string): Promise<void> {
    const state = await this.live.load(leg.tenant_id);
    const workstationId = this.live.workstationFor(leg.tenant_id, user.screenRecordingLogin!);
    if (!workstationId) {
      return this.noRecording(
        leg,
        externalCallId,
        'no-workstation',
        `${user.screenRecordingLogin} is not logged in on an authorized, connected workstation`,
      );
    }
    const active = state.captures.get(workstationId);
    if (active) {
      await this.link(leg, active.recordingId);
      state.setLeg(key, { recordingId: active.recordingId, workstationId, ended: false });
      this.log(externalCallId, 'joins the capture already running on the workstation', {
        recordingId: active.recordingId,
        workstationId,
      });
      return;
    }
    const settings = (this.directory.peek(leg.tenant_id) ?? (await this.directory.load(leg.tenant_id)))
      .settings;
    const capture = newCapture();
    const { recordingId, captureId } = capture;
    await this.insertRecording(leg.tenant_id, workstationId, user.id, {
      recordingId,
      captureId,
      tokenHash: capture.token.hash,
    });
    if (!this.sendCaptureStart(leg.tenant_id, workstationId, capture, settings)) {
      await this.endRecording(
        leg.tenant_id,
        recordingId,
        'failed',
        'the workstation went offline before the capture started',
      );
      return this.noRecording(leg, externalCallId, 'agent-offline', 'the workstation was not connected');
    }
    state.setCapture(workstationId, { recordingId, captureId });
    state.setLeg(key, { recordingId, workstationId, ended: false });
    await this.link(leg, recordingId);
    await this.queueMaxDuration(leg.tenant_id, recordingId, settings);
    this.log(externalCallId, 'capture started', { recordingId, captureId, workstationId });
  }

  private sendCaptureStart(
    tenantId: string,
    workstationId: string,
    capture: NewCapture,
    settings: ScreenRecordingSettings,
  ): boolean {
    return this.o.channel.send(tenantId, workstationId, {
      v: PROTOCOL_VERSION,
      type: 'capture.start',
      captureId: capture.captureId,
      recordingId: capture.recordingId,
      settings: captureSettingsOf(settings),
      uploadToken: capture.token.token,
    });
  }

  private async insertRecording(
    tenantId: string,
    workstationId: string,
    userId: string,
    capture: { recordingId: string; captureId: string; tokenHash: string },
  ): Promise<void> {
    await this.o.db
      .insertInto('recordings')
      .values(recordingRow(tenantId, workstationId, userId, capture))
      .execute();
  }

  private async queueMaxDuration(
    tenantId: string,
    recordingId: string,
    settings: ScreenRecordingSettings,
  ): Promise<void> {
    const job = maxDurationJob(recordingId, settings);
    await this.o.jobs.enqueue(tenantId, job.kind, job.payload, job.runAfter);
  }

  private async link(leg: Leg, recordingId: string): Promise<void> {
    const { db } = this.o;
    await db
      .updateTable('call_legs')
      .set({ recording_id: recordingId, no_recording_reason: null })
      .where('id', '=', leg.id)
      .execute();
    await db
      .insertInto('call_recordings')
      .values({ tenant_id: leg.tenant_id, call_id: leg.call_id, recording_id: recordingId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db.updateTable('calls').set({ no_recording_reason: null }).where('id', '=', leg.call_id).execute();
  }

  private async ended(
    tenantId: string,
    sourceId: string,
    event: CallEvent,
    early: CommittedEnd | undefined,
  ): Promise<void> {
    const { db } = this.o;
    const closed = await this.closeOpenLeg(tenantId, sourceId, event);
    const call = closed ? { id: closed.call_id } : await this.upsertCall(tenantId, sourceId, event);
    const leg = closed ?? (await this.findLeg(tenantId, call.id, event));
    const state = await this.live.load(tenantId);
    const key = legKey(sourceId, event.callId, event.agent);
    state.setLeg(key, {
      recordingId: leg?.recording_id ?? null,
      workstationId: state.legs.get(key)?.workstationId ?? null,
      ended: true,
    });
    if (!leg) {
      const directory = this.directory.peek(tenantId) ?? (await this.directory.load(tenantId));
      const user = directory.find(event.agent);
      await db
        .insertInto('call_legs')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          call_id: call.id,
          agent_by: event.agent.by,
          agent_value: event.agent.value,
          user_id: user?.id ?? null,
          started_at: null,
          ended_at: event.at,
          recording_id: null,
          no_recording_reason: 'ended-before-start',
        })
        .execute();
      await db
        .updateTable('calls')
        .set({
          no_recording_reason: `ended-before-start: ${event.agent.by} ${event.agent.value} left before joining`,
        })
        .where('id', '=', call.id)
        .where('no_recording_reason', 'is', null)
        .execute();
      this.log(event.callId, 'end arrived before any start for this agent; nothing to record');
    } else if (!closed) {
      // On record and not open, or closeOpenLeg would have ended it.
      this.log(event.callId, 'duplicate end ignored');
      return;
    }
    // The call ends with its last open leg.
    await db
      .updateTable('calls')
      .set({ state: 'ended', ended_at: event.at })
      .where('id', '=', call.id)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('call_legs')
              .select('id')
              .where('tenant_id', '=', tenantId)
              .where('call_id', '=', call.id)
              .where('ended_at', 'is', null),
          ),
        ),
      )
      .execute();
    const stopped = early?.stopped;
    if (stopped && stopped.recordingId === leg?.recording_id) {
      if (stopped.sent) await this.markStopping(tenantId, stopped.recordingId, 'call ended');
      else
        await this.endRecording(
          tenantId,
          stopped.recordingId,
          'uploading',
          'workstation disconnected before call ended',
        );
      this.log(event.callId, 'capture stopped at call end', { recordingId: stopped.recordingId });
    } else if (leg?.recording_id)
      await this.releaseRecording(tenantId, leg.recording_id, event.callId, event.at);
  }

  /** After a leg ended: stop its capture once no other call holds it, after the wrap-up time. */
  private async releaseRecording(
    tenantId: string,
    recordingId: string,
    externalCallId: string,
    legEndedAt: Date,
  ): Promise<void> {
    if (await this.hasOpenLegs(tenantId, recordingId)) {
      this.log(externalCallId, 'capture continues: another call of the agent is still going', {
        recordingId,
      });
      return;
    }
    const { wrapUpSeconds } = await this.o.settings.get(tenantId);
    if (wrapUpSeconds === 0) {
      await this.stopCapture(tenantId, recordingId, 'call ended');
      this.log(externalCallId, 'capture stopped at call end', { recordingId });
      return;
    }
    // The latest end among the capture's calls (not this event's time: phone-system events may come unordered).
    const last = await this.o.db
      .selectFrom('call_legs')
      .select('ended_at')
      .where('tenant_id', '=', tenantId)
      .where('recording_id', '=', recordingId)
      .where('ended_at', 'is not', null)
      .orderBy('ended_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    const lastEnd = last?.ended_at ? new Date(last.ended_at) : legEndedAt;
    await this.o.jobs.enqueue(
      tenantId,
      CAPTURE_STOP_JOB,
      { recordingId, reason: 'wrap-up', legEndedAt: lastEnd.toISOString() },
      new Date(Date.now() + wrapUpSeconds * 1000),
    );
    this.o.onJobQueued?.();
    this.log(externalCallId, `capture continues for ${wrapUpSeconds} s of wrap-up`, { recordingId });
  }

  /**
   * A call that joined during wrap-up and ended later queued its own wrap-up: the earlier job leaves the
   * decision to it. Compares phone-system times only, so host clock skew does not matter.
   */
  private async laterLegEnded(tenantId: string, recordingId: string, legEndedAt: string): Promise<boolean> {
    return Boolean(
      await this.o.db
        .selectFrom('call_legs')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('recording_id', '=', recordingId)
        .where('ended_at', '>', new Date(legEndedAt))
        .executeTakeFirst(),
    );
  }

  private async hasOpenLegs(tenantId: string, recordingId: string): Promise<boolean> {
    return Boolean(
      await this.o.db
        .selectFrom('call_legs')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('recording_id', '=', recordingId)
        .where('ended_at', 'is', null)
        .executeTakeFirst(),
    );
  }

  private async stopCapture(tenantId: string, recordingId: string, reason: string): Promise<void> {
    const recording = await this.o.db
      .selectFrom('recordings')
      .select(['workstation_id', 'capture_id', 'state', 'ended_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .executeTakeFirst();
    // From now on a new call of the workstation gets a capture of its own.
    this.live.peek(tenantId)?.dropCapture(recordingId);
    if (recording?.state !== 'recording' || recording.ended_at) return;
    const sent = this.o.channel.send(tenantId, recording.workstation_id, {
      v: PROTOCOL_VERSION,
      type: 'capture.stop',
      captureId: recording.capture_id,
      reason,
    });
    if (!sent) {
      await this.endRecording(
        tenantId,
        recordingId,
        'uploading',
        `workstation disconnected before ${reason}`,
      );
      return;
    }
    await this.markStopping(tenantId, recordingId, reason);
  }

  /** Ended only when the agent confirms (its last segments come first); until then it is marked as stopping. */
  private async markStopping(tenantId: string, recordingId: string, reason: string): Promise<void> {
    await this.o.db
      .updateTable('recordings')
      .set({ end_reason: `stopping: ${reason}` })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .where('ended_at', 'is', null)
      .execute();
  }

  /** The durable capture-stop job: wrap-up over, or the maximum recording duration reached. */
  captureStopJob() {
    return async (job: Job): Promise<void> => {
      const { recordingId, reason, legEndedAt } = job.payload as {
        recordingId: string;
        reason: string;
        legEndedAt?: string;
      };
      const workstationId = this.live.peek(job.tenant_id)?.workstationOfRecording(recordingId);
      const tags = workstationId ? [workstationTag(job.tenant_id, workstationId)] : undefined;
      await this.queue.run(tags, async () => {
        if (reason === 'wrap-up' && (await this.hasOpenLegs(job.tenant_id, recordingId))) return;
        if (
          reason === 'wrap-up' &&
          legEndedAt &&
          (await this.laterLegEnded(job.tenant_id, recordingId, legEndedAt))
        ) {
          this.o.logger.info({ recordingId }, 'wrap-up extended: a later call of the capture ended since');
          return;
        }
        await this.stopCapture(
          job.tenant_id,
          recordingId,
          reason === 'max-duration' ? 'maximum recording duration reached' : 'wrap-up time over',
        );
      });
    };
  }

  private async endRecording(
    tenantId: string,
    recordingId: string,
    state: 'uploading' | 'failed' | 'none',
    reason: string,
  ): Promise<void> {
    this.live.peek(tenantId)?.dropCapture(recordingId);
    await this.o.db
      .updateTable('recordings')
      .set({ state, ended_at: new Date(), end_reason: reason })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .where('ended_at', 'is', null)
      .execute();
    await this.o.segments.refreshRecordingState(tenantId, recordingId);
  }

  private async recordingByCapture(tenantId: string, workstationId: string, captureId: string) {
    return this.o.db
      .selectFrom('recordings')
      .select(['id', 'state'])
      .where('tenant_id', '=', tenantId)
      .where('workstation_id', '=', workstationId)
      .where('capture_id', '=', captureId)
      .executeTakeFirst();
  }

  private async agentEvent(event: AgentEvent): Promise<void> {
    const { tenantId, workstationId } = event;
    const { db } = this.o;
    switch (event.type) {
      case 'connected':
      case 'session': {
        // The tenant's agents come online before its calls: have its memory ready for the first one.
        await this.live.load(tenantId);
        if (!this.directory.peek(tenantId)) void this.directory.load(tenantId).catch(() => undefined);
        const running = await db
          .selectFrom('recordings')
          .innerJoin('users', (j) =>
            j
              .onRef('users.tenant_id', '=', 'recordings.tenant_id')
              .onRef('users.id', '=', 'recordings.user_id'),
          )
          .select(['recordings.id', 'users.screen_recording_login'])
          .where('recordings.tenant_id', '=', tenantId)
          .where('recordings.workstation_id', '=', workstationId)
          .where('recordings.state', '=', 'recording')
          .where('recordings.ended_at', 'is', null)
          .execute();
        for (const r of running) {
          if (
            !event.login ||
            !r.screen_recording_login ||
            !loginsMatch(r.screen_recording_login, event.login)
          ) {
            await this.stopCapture(tenantId, r.id, 'agent logged off');
            await this.endRecording(tenantId, r.id, 'uploading', 'agent logged off during the call');
          }
        }
        if (event.login && (event.type === 'session' || event.state === 'authorized'))
          await this.startWaiting(tenantId, event.login);
        return;
      }
      case 'authorization': {
        // An admin approved a connected workstation: its user's calls in progress start recording now.
        if (event.state !== 'authorized') return;
        const workstation = await db
          .selectFrom('workstations')
          .select('login')
          .where('tenant_id', '=', tenantId)
          .where('id', '=', workstationId)
          .executeTakeFirst();
        if (workstation?.login) await this.startWaiting(tenantId, workstation.login);
        return;
      }
      case 'disconnected': {
        const open = await db
          .selectFrom('recordings')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('workstation_id', '=', workstationId)
          .where('state', '=', 'recording')
          .where('ended_at', 'is', null)
          .execute();
        for (const r of open)
          await this.endRecording(tenantId, r.id, 'uploading', 'workstation disconnected during the capture');
        return;
      }
      case 'capture': {
        const m = event.message;
        const unknown = () =>
          this.o.logger.warn({ workstationId, captureId: m.captureId }, 'agent reported an unknown capture');
        if (m.type === 'capture.started') {
          // Found and updated in one statement: every capture reports this once, so it adds up.
          const updated = await db
            .updateTable('recordings')
            .set({ started_at: new Date(m.startedAt) })
            .where('tenant_id', '=', tenantId)
            .where('workstation_id', '=', workstationId)
            .where('capture_id', '=', m.captureId)
            .returning('id')
            .executeTakeFirst();
          if (!updated) unknown();
          return;
        }
        const recording = await this.recordingByCapture(tenantId, workstationId, m.captureId);
        if (!recording) return unknown();
        if (m.type === 'capture.segment') {
          const s = m.segment;
          await this.o.segments.upsert(
            tenantId,
            recording.id,
            {
              monitorId: s.monitorId,
              index: s.index,
              startedAt: new Date(s.startedAt),
              durationMs: s.durationMs,
              bytes: s.bytes,
              sha256: s.sha256,
            },
            'on-agent',
          );
        } else if (m.type === 'capture.stopped') {
          await this.endRecording(tenantId, recording.id, 'uploading', m.reason);
        } else if (m.type === 'capture.failed') {
          await this.endRecording(tenantId, recording.id, 'uploading', `capture failed: ${m.error}`);
        } else if (m.type === 'capture.refused') {
          await this.endRecording(tenantId, recording.id, 'none', `agent refused: ${m.reason}`);
          await db
            .updateTable('calls')
            .set({ no_recording_reason: `agent-refused: ${m.reason}` })
            .where(
              'id',
              'in',
              db.selectFrom('call_legs').select('call_id').where('recording_id', '=', recording.id),
            )
            .execute();
        }
        return;
      }
    }
  }

  /** A user just became reachable: start captures for their calls that are still going and have none. */
  private async startWaiting(tenantId: string, login: string): Promise<void> {
    const waiting = (await this.o.db
      .selectFrom('call_legs')
      .innerJoin('users', (j) =>
        j.onRef('users.tenant_id', '=', 'call_legs.tenant_id').onRef('users.id', '=', 'call_legs.user_id'),
      )
      .innerJoin('calls', 'calls.id', 'call_legs.call_id')
      .selectAll('call_legs')
      .select(['users.screen_recording_login', 'calls.external_call_id', 'calls.source_id'])
      .where('call_legs.tenant_id', '=', tenantId)
      .where('call_legs.ended_at', 'is', null)
      .where('call_legs.recording_id', 'is', null)
      .where('call_legs.no_recording_reason', 'in', ['no-workstation', 'agent-offline'])
      .execute()) as (Leg & {
      screen_recording_login: string | null;
      external_call_id: string;
      source_id: string;
    })[];
    for (const leg of waiting) {
      if (!leg.screen_recording_login || !loginsMatch(leg.screen_recording_login, login)) continue;
      const user = await this.o.users.get(tenantId, leg.user_id!);
      if (user?.seatLicence) {
        this.log(leg.external_call_id, 'agent became reachable during the call; starting the capture now');
        const key = legKey(leg.source_id, leg.external_call_id, { by: leg.agent_by, value: leg.agent_value });
        await this.startFor(leg, key, user, leg.external_call_id);
      }
    }
  }
}
