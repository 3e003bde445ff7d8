import { randomUUID } from 'node:crypto';
import { type CallEvent, type Clock, type ScreenRecordingSettings, TOKENS } from '@deskrec/core';
import type { CallLegsRepo } from '../db/repos/call-legs.js';
import type { CallsRepo } from '../db/repos/calls.js';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { UserView } from '../db/repos/users.js';
import type { CallLeg } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { FETCH_AUDIO_JOB } from '../jobs/fetch-audio.js';
import { FETCH_PBX_RECORDING_JOB, WAITING } from '../jobs/fetch-pbx-recording.js';
import type { JobSignal } from '../jobs/job-signal.js';
import { HOST_TOKENS } from '../tokens.js';
import type { CaptureCommands } from './capture-commands.js';
import {
  callTag,
  decideStart,
  legTag,
  type StartDecision,
  type StartOutcome,
  workstationTag,
} from './decide-start.js';
import type { DecisionLog } from './decision-log.js';
import type { LiveDirectory, TenantDirectory } from './live-directory.js';
import { type LiveState, legKey, type TenantState } from './live-state.js';
import type { TaskQueue } from './task-queue.js';
import type { TimeLimits } from './time-limits.js';

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
 * Call events from the phone system: a start finds the agent's user and workstation and starts, joins or
 * declines a capture; an end closes the leg and releases the capture once no call holds it. Decided from
 * memory where it can (see Orchestrator), written down right after; repeated, late and unordered events are
 * settled from the database in turn.
 */
@injectable()
export class CallEvents {
  private readonly warming = new Set<string>();

  constructor(
    @inject(HOST_TOKENS.TaskQueue) private readonly queue: TaskQueue,
    @inject(HOST_TOKENS.LiveState) private readonly live: LiveState,
    @inject(HOST_TOKENS.LiveDirectory) private readonly directory: LiveDirectory,
    @inject(HOST_TOKENS.CallsRepo) private readonly calls: CallsRepo,
    @inject(HOST_TOKENS.CallLegsRepo) private readonly legs: CallLegsRepo,
    @inject(HOST_TOKENS.JobsRepo) private readonly jobs: JobsRepo,
    @inject(HOST_TOKENS.JobSignal) private readonly signal: JobSignal,
    @inject(HOST_TOKENS.CaptureCommands) private readonly commands: CaptureCommands,
    @inject(HOST_TOKENS.TimeLimits) private readonly limits: TimeLimits,
    @inject(HOST_TOKENS.DecisionLog) private readonly log: DecisionLog,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  handle(tenantId: string, sourceId: string, event: CallEvent): Promise<void> {
    const afterwards = async () => {
      if (event.audioUrl) await this.queueAudio(tenantId, sourceId, event.callId, { url: event.audioUrl });
      if (event.audio) {
        await this.queueAudio(tenantId, sourceId, event.callId, {
          file: event.audio.path,
          contentType: event.audio.contentType,
        });
      }
      if (event.recording)
        await this.queuePbxRecording(tenantId, sourceId, event.callId, event.recording.file);
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
    const sent = this.commands.sendStop(tenantId, workstationId, capture.captureId, 'call ended');
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
    const capture = this.commands.newCapture(tenantId, workstationId, decision.user?.id ?? null, {
      sourceId,
      externalCallId: event.callId,
    });
    const { recordingId, captureId } = capture;
    if (!this.commands.sendStart(tenantId, workstationId, capture, settings)) {
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
    const { tenantId, event, outcome, user } = c;
    const reason = outcome.kind === 'none' ? `${outcome.reason}: ${outcome.detail}` : null;
    const call = await this.calls.upsert(tenantId, c.sourceId, event, {
      user_id: user?.id ?? null,
      no_recording_reason: reason,
    });
    const recordingId =
      outcome.kind === 'none'
        ? null
        : outcome.kind === 'join'
          ? outcome.capture.recordingId
          : outcome.recordingId;
    const leg: CallLeg = {
      id: randomUUID(),
      // The host's clock, not the event's: a phone system whose clock is off must not age the call.
      confirmed_at: this.clock.now(),
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
    const inserted = await this.legs.insert(
      leg,
      outcome.kind === 'start'
        ? {
            recording: this.commands.recordingRow(tenantId, outcome.workstationId, user!.id, outcome),
            job: this.limits.maxDurationJob(outcome.recordingId, c.settings),
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
      await this.calls.reopen(call.id, {
        ...(user && !call.user_id ? { userId: user.id } : {}),
        recorded: recordingId !== null,
      });
      if (reason) await this.calls.noteNoRecording(call.id, reason);
    }
    if (outcome.kind === 'none') {
      this.log.call(event.callId, `no screen recording (${outcome.reason})`, { detail: outcome.detail });
      return;
    }
    if (outcome.kind === 'join') {
      this.log.call(event.callId, 'joins the capture already running on the workstation', {
        recordingId,
        workstationId: outcome.workstationId,
      });
      return;
    }
    this.log.call(event.callId, 'capture started', {
      recordingId,
      captureId: outcome.captureId,
      workstationId: outcome.workstationId,
    });
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
    const existing = await this.legs.find(tenantId, callId, event.agent);
    if (startedRecordingId) {
      await this.commands.stop(tenantId, startedRecordingId, 'repeated call start');
      await this.commands.end(
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
      await this.legs.setStartedAt(existing.id, event.at);
      this.log.call(
        event.callId,
        'start arrived after the end; the agent is no longer on the call, nothing to record',
      );
    } else this.log.call(event.callId, 'duplicate start ignored');
  }

  /** A start that could not be decided ahead: decided here, in turn, once memory is loaded. */
  private async started(tenantId: string, sourceId: string, event: CallEvent): Promise<void> {
    const state = await this.live.load(tenantId);
    const directory = this.directory.peek(tenantId) ?? (await this.directory.load(tenantId));
    const decided = this.decide(tenantId, sourceId, event, state, directory);
    const { decision } = decided;
    if (decision.kind === 'known-leg') {
      const call = await this.calls.upsert(tenantId, sourceId, event);
      const key = legKey(sourceId, event.callId, event.agent);
      return this.repeatedStart(tenantId, call.id, key, event, undefined);
    }
    await this.persistStart(this.commitStart(sourceId, event, { ...decided, decision }));
  }

  /** The recorder announced where the call's audio is: fetch it once, in the background. */
  /** Audio the source announced: a URL to fetch, or a file it recorded on this host (SIPREC). */
  private async queueAudio(
    tenantId: string,
    sourceId: string,
    externalCallId: string,
    audio: { url: string } | { file: string; contentType: string },
  ): Promise<void> {
    const call = await this.calls.find(tenantId, sourceId, externalCallId);
    if (!call || call.audio_key) return;
    await this.jobs.enqueue(tenantId, FETCH_AUDIO_JOB, { callId: call.id, sourceId, ...audio });
    this.signal.notify();
    this.log.call(externalCallId, 'audio announced; fetching it', audio);
  }

  /** The PBX recorded the call itself: fetch the file from the source's recordings location, in the background. */
  private async queuePbxRecording(
    tenantId: string,
    sourceId: string,
    externalCallId: string,
    file: string,
  ): Promise<void> {
    const call = await this.calls.find(tenantId, sourceId, externalCallId);
    // Each agent's end names the same file (a transfer): one job fetches it.
    if (!call || call.audio_key || call.audio_fetch?.startsWith(WAITING)) return;
    await this.calls.noteAudioFetch(tenantId, call.id, `${WAITING} ${file}`);
    await this.jobs.enqueue(tenantId, FETCH_PBX_RECORDING_JOB, { callId: call.id, sourceId, file });
    this.signal.notify();
    this.log.call(externalCallId, 'the PBX recorded the call; fetching its recording', { file });
  }

  private async ended(
    tenantId: string,
    sourceId: string,
    event: CallEvent,
    early: CommittedEnd | undefined,
  ): Promise<void> {
    const closed = await this.legs.closeOpen(tenantId, sourceId, event);
    const call = closed ? { id: closed.call_id } : await this.calls.upsert(tenantId, sourceId, event);
    const leg = closed ?? (await this.legs.find(tenantId, call.id, event.agent));
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
      await this.legs.insertEnded(tenantId, call.id, event, user?.id ?? null, 'ended-before-start');
      await this.calls.noteNoRecording(
        call.id,
        `ended-before-start: ${event.agent.by} ${event.agent.value} left before joining`,
      );
      this.log.call(event.callId, 'end arrived before any start for this agent; nothing to record');
    } else if (!closed) {
      // On record and not open, or closeOpen would have ended it.
      this.log.call(event.callId, 'duplicate end ignored');
      return;
    }
    await this.calls.endIfNoOpenLegs(tenantId, call.id, event.at);
    const stopped = early?.stopped;
    if (stopped && stopped.recordingId === leg?.recording_id) {
      if (stopped.sent) await this.commands.markStopping(tenantId, stopped.recordingId, 'call ended');
      else
        await this.commands.end(
          tenantId,
          stopped.recordingId,
          'uploading',
          'workstation disconnected before call ended',
        );
      this.log.call(event.callId, 'capture stopped at call end', { recordingId: stopped.recordingId });
    } else if (leg?.recording_id)
      await this.limits.release(tenantId, leg.recording_id, event.callId, event.at);
  }
}
