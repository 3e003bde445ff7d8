import { randomBytes, randomUUID } from 'node:crypto';
import { type CallEvent, captureSettingsOf, type Logger, PROTOCOL_VERSION } from '@deskrec/core';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { SettingsRepo } from '../db/repos/settings.js';
import { normalizeLogin, type UsersRepo, type UserView } from '../db/repos/users.js';
import type { Job } from '../db/schema.js';
import { FETCH_AUDIO_JOB } from '../jobs/fetch-audio.js';
import type { SegmentsRepo } from '../recordings/segments-repo.js';
import { newUploadToken } from '../recordings/upload-grants.js';
import type { AgentChannel, AgentEvent } from '../workstations/ports.js';
import { loginsMatch } from './login-match.js';
import type { CallLegsTable, OrchestratorDatabase } from './schema.js';

export const CAPTURE_STOP_JOB = 'capture-stop';

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

/**
 * Turns call events into captures: finds the agent's user and workstation, starts one capture per
 * workstation however many calls overlap, keeps it through wrap-up, moves it with a transfer and records
 * every decision on the call. All state is in the database, so events can arrive twice, late or in any order.
 */
export class Orchestrator {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly o: OrchestratorOptions) {}

  /** Events are applied one at a time: each decision sees the previous one's effects. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  handleCallEvent(tenantId: string, sourceId: string, event: CallEvent): Promise<void> {
    return this.serial(async () => {
      await (event.type === 'call.started'
        ? this.started(tenantId, sourceId, event)
        : this.ended(tenantId, sourceId, event));
      if (event.audioUrl) await this.queueAudio(tenantId, sourceId, event.callId, event.audioUrl);
    });
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
    return this.serial(() => this.agentEvent(event)).catch((error: Error) =>
      this.o.logger.error(
        { err: error.message, event: event.type },
        'orchestrator could not apply an agent event',
      ),
    );
  }

  private log(callId: string, decision: string, detail: Record<string, unknown> = {}): void {
    this.o.logger.info({ callId, decision, ...detail }, `call ${callId}: ${decision}`);
  }

  private async upsertCall(tenantId: string, sourceId: string, event: CallEvent) {
    const { db } = this.o;
    const existing = await db
      .selectFrom('calls')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('source_id', '=', sourceId)
      .where('external_call_id', '=', event.callId)
      .executeTakeFirst();
    if (existing) return existing;
    const id = randomUUID();
    const inserted = await db
      .insertInto('calls')
      .values({
        id,
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
        user_id: null,
        extension: event.agent.by === 'extension' ? event.agent.value : null,
        state: 'active',
        no_recording_reason: null,
        audio_key: null,
        audio_target_id: null,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'source_id', 'external_call_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return (
      inserted ??
      db
        .selectFrom('calls')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('source_id', '=', sourceId)
        .where('external_call_id', '=', event.callId)
        .executeTakeFirstOrThrow()
    );
  }

  private async findUser(tenantId: string, event: CallEvent): Promise<UserView | undefined> {
    const { by, value } = event.agent;
    if (by === 'extension') return this.o.users.byExtension(tenantId, value);
    if (by === 'login') return this.o.users.byLogin(tenantId, value);
    return (
      (await this.o.users.get(tenantId, value).catch(() => undefined)) ??
      (await this.o.db
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('external_id', '=', value)
        .executeTakeFirst()
        .then((row) => (row ? this.o.users.get(tenantId, row.id) : undefined)))
    );
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

  private async started(tenantId: string, sourceId: string, event: CallEvent): Promise<void> {
    const { db } = this.o;
    const call = await this.upsertCall(tenantId, sourceId, event);
    const existing = await this.findLeg(tenantId, call.id, event);
    if (existing) {
      if (existing.ended_at && !existing.started_at) {
        await db
          .updateTable('call_legs')
          .set({ started_at: event.at })
          .where('id', '=', existing.id)
          .execute();
        this.log(
          event.callId,
          'start arrived after the end; the agent is no longer on the call, nothing to record',
        );
      } else this.log(event.callId, 'duplicate start ignored');
      return;
    }
    const user = await this.findUser(tenantId, event);
    const leg: Leg = {
      id: randomUUID(),
      tenant_id: tenantId,
      call_id: call.id,
      agent_by: event.agent.by,
      agent_value: event.agent.value,
      user_id: user?.id ?? null,
      started_at: event.at,
      ended_at: null,
      recording_id: null,
      no_recording_reason: null,
    };
    await db.insertInto('call_legs').values(leg).execute();
    await db
      .updateTable('calls')
      .set({ state: 'active', ended_at: null, ...(user && !call.user_id ? { user_id: user.id } : {}) })
      .where('id', '=', call.id)
      .execute();
    if (!user)
      return this.noRecording(
        leg,
        event.callId,
        'no-user',
        `no user has ${event.agent.by} ${event.agent.value}`,
      );
    if (!user.seatLicence)
      return this.noRecording(
        leg,
        event.callId,
        'no-licence',
        `${user.name} has no screen-recording seat licence`,
      );
    if (!user.screenRecordingLogin)
      return this.noRecording(
        leg,
        event.callId,
        'no-workstation',
        `${user.name} has no screen-recording login`,
      );
    await this.startFor(leg, user, event.callId);
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

  /** Finds an authorized, connected workstation where the user is logged in now. */
  private async workstationFor(tenantId: string, userLogin: string): Promise<string | undefined> {
    const login = normalizeLogin(userLogin);
    const name = login.split('\\').pop()!;
    const lowered = sql<string>`lower(login)`;
    // Narrowed in SQL (the tenant may have thousands of workstations): the same name, with or without a domain.
    const candidates = await this.o.db
      .selectFrom('workstations')
      .select(['id', 'login', 'last_seen'])
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'authorized')
      .where((eb) =>
        login.includes('\\')
          ? eb(lowered, 'in', [login, name])
          : eb.or([eb(lowered, '=', name), eb(lowered, 'like', `%\\\\${name.replace(/[\\%_]/g, '\\$&')}`)]),
      )
      .orderBy('last_seen', 'desc')
      .execute();
    return candidates.find(
      (w) => w.login && loginsMatch(userLogin, w.login) && this.o.channel.isOnline(tenantId, w.id),
    )?.id;
  }

  private async startFor(leg: Leg, user: UserView, externalCallId: string): Promise<void> {
    const { db, channel } = this.o;
    const workstationId = await this.workstationFor(leg.tenant_id, user.screenRecordingLogin!);
    if (!workstationId) {
      return this.noRecording(
        leg,
        externalCallId,
        'no-workstation',
        `${user.screenRecordingLogin} is not logged in on an authorized, connected workstation`,
      );
    }
    const active = await db
      .selectFrom('recordings')
      .select(['id', 'capture_id'])
      .where('tenant_id', '=', leg.tenant_id)
      .where('workstation_id', '=', workstationId)
      .where('state', '=', 'recording')
      .where('ended_at', 'is', null)
      // A capture already asked to stop cannot hold a new call: that gets a capture of its own.
      .where('end_reason', 'is', null)
      .executeTakeFirst();
    if (active) {
      await this.link(leg, active.id);
      this.log(externalCallId, 'joins the capture already running on the workstation', {
        recordingId: active.id,
        workstationId,
      });
      return;
    }
    const settings = await this.o.settings.get(leg.tenant_id);
    const recordingId = randomUUID();
    const captureId = `cap_${randomBytes(12).toString('hex')}`;
    const token = newUploadToken();
    await db
      .insertInto('recordings')
      .values({
        id: recordingId,
        tenant_id: leg.tenant_id,
        workstation_id: workstationId,
        user_id: user.id,
        capture_id: captureId,
        state: 'recording',
        started_at: new Date(),
        ended_at: null,
        end_reason: null,
        upload_token_hash: token.hash,
      })
      .execute();
    // The agent hears first; linking the call comes after (events are serialized, so nothing sees the gap).
    const sent = channel.send(leg.tenant_id, workstationId, {
      v: PROTOCOL_VERSION,
      type: 'capture.start',
      captureId,
      recordingId,
      settings: captureSettingsOf(settings),
      uploadToken: token.token,
    });
    if (!sent) {
      await this.endRecording(
        leg.tenant_id,
        recordingId,
        'failed',
        'the workstation went offline before the capture started',
      );
      return this.noRecording(leg, externalCallId, 'agent-offline', 'the workstation was not connected');
    }
    await this.link(leg, recordingId);
    await this.o.jobs.enqueue(
      leg.tenant_id,
      CAPTURE_STOP_JOB,
      { recordingId, reason: 'max-duration' },
      new Date(Date.now() + settings.maxRecordingSeconds * 1000),
    );
    this.log(externalCallId, 'capture started', { recordingId, captureId, workstationId });
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

  private async ended(tenantId: string, sourceId: string, event: CallEvent): Promise<void> {
    const { db } = this.o;
    const call = await this.upsertCall(tenantId, sourceId, event);
    const leg = await this.findLeg(tenantId, call.id, event);
    if (!leg) {
      const user = await this.findUser(tenantId, event);
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
    } else if (leg.ended_at) {
      this.log(event.callId, 'duplicate end ignored');
      return;
    } else {
      await db.updateTable('call_legs').set({ ended_at: event.at }).where('id', '=', leg.id).execute();
    }
    const open = await db
      .selectFrom('call_legs')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('call_id', '=', call.id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    if (!open) {
      await db
        .updateTable('calls')
        .set({ state: 'ended', ended_at: event.at })
        .where('id', '=', call.id)
        .execute();
    }
    if (leg?.recording_id) await this.releaseRecording(tenantId, leg.recording_id, event.callId, event.at);
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
    // Ended only when the agent confirms (its last segments come first); until then it is marked as stopping.
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
      await this.serial(async () => {
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
        const recording = await this.recordingByCapture(tenantId, workstationId, m.captureId);
        if (!recording) {
          this.o.logger.warn({ workstationId, captureId: m.captureId }, 'agent reported an unknown capture');
          return;
        }
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
        } else if (m.type === 'capture.started') {
          await db
            .updateTable('recordings')
            .set({ started_at: new Date(m.startedAt) })
            .where('id', '=', recording.id)
            .execute();
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
      .select(['users.screen_recording_login', 'calls.external_call_id'])
      .where('call_legs.tenant_id', '=', tenantId)
      .where('call_legs.ended_at', 'is', null)
      .where('call_legs.recording_id', 'is', null)
      .where('call_legs.no_recording_reason', 'in', ['no-workstation', 'agent-offline'])
      .execute()) as (Leg & { screen_recording_login: string | null; external_call_id: string })[];
    for (const leg of waiting) {
      if (!leg.screen_recording_login || !loginsMatch(leg.screen_recording_login, login)) continue;
      const user = await this.o.users.get(tenantId, leg.user_id!);
      if (user?.seatLicence) {
        this.log(leg.external_call_id, 'agent became reachable during the call; starting the capture now');
        await this.startFor(leg, user, leg.external_call_id);
      }
    }
  }
}
