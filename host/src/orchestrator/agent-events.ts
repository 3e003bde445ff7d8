import type { CallsRepo } from '../db/repos/calls.js';
import type { RecordingsRepo } from '../db/repos/recordings.js';
import type { SegmentsRepo } from '../db/repos/segments.js';
import type { WorkstationsRepo } from '../db/repos/workstations.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import type { SegmentNotices } from '../uploads/segment-notices.js';
import type { AgentEvent } from '../workstations/ports.js';
import type { CaptureCommands } from './capture-commands.js';
import { workstationTag } from './decide-start.js';
import type { DecisionLog } from './decision-log.js';
import type { LiveDirectory } from './live-directory.js';
import type { LiveState } from './live-state.js';
import { loginsMatch } from './login-match.js';
import type { TaskQueue } from './task-queue.js';
import type { WaitingCalls } from './waiting-calls.js';

/** Agent reports after which a capture takes no new call. */
const ENDS = new Set(['capture.stopped', 'capture.failed', 'capture.refused']);

/**
 * What the controller reports of workstations: connections, sign-ins, approvals and each capture's
 * progress (started, segments, stopped, failed, refused), applied to memory at once and to the database
 * in turn.
 */
@injectable()
export class AgentEvents {
  constructor(
    @inject(HOST_TOKENS.TaskQueue) private readonly queue: TaskQueue,
    @inject(HOST_TOKENS.LiveState) private readonly live: LiveState,
    @inject(HOST_TOKENS.LiveDirectory) private readonly directory: LiveDirectory,
    @inject(HOST_TOKENS.RecordingsRepo) private readonly recordings: RecordingsRepo,
    @inject(HOST_TOKENS.WorkstationsRepo) private readonly workstations: WorkstationsRepo,
    @inject(HOST_TOKENS.SegmentsRepo) private readonly segments: SegmentsRepo,
    @inject(HOST_TOKENS.CallsRepo) private readonly calls: CallsRepo,
    @inject(HOST_TOKENS.CaptureCommands) private readonly commands: CaptureCommands,
    @inject(HOST_TOKENS.WaitingCalls) private readonly waiting: WaitingCalls,
    @inject(HOST_TOKENS.DecisionLog) private readonly log: DecisionLog,
    @inject(HOST_TOKENS.SegmentNotices) private readonly notices: SegmentNotices,
  ) {}

  handle(event: AgentEvent): Promise<void> {
    this.live.notePresence(event);
    // A capture that ended or a workstation that left takes no new call from now on.
    const state = this.live.peek(event.tenantId);
    if (event.type === 'disconnected') state?.dropCaptureOf(event.workstationId);
    if (event.type === 'capture' && ENDS.has(event.message.type))
      state?.dropCaptureOf(event.workstationId, event.message.captureId);
    // A sign-in may start captures for any waiting call (see WaitingCalls): that waits for everything.
    const keyed = event.type === 'capture' || event.type === 'disconnected';
    const tags = keyed ? [workstationTag(event.tenantId, event.workstationId)] : undefined;
    return this.queue
      .run(tags, () => this.apply(event), { holds: !keyed })
      .catch((error: Error) =>
        this.log.logger.error(
          { err: error.message, event: event.type },
          'orchestrator could not apply an agent event',
        ),
      );
  }

  private async apply(event: AgentEvent): Promise<void> {
    const { tenantId, workstationId } = event;
    switch (event.type) {
      case 'connected':
      case 'session': {
        // The tenant's agents come online before its calls: have its memory ready for the first one.
        await this.live.load(tenantId);
        if (!this.directory.peek(tenantId)) void this.directory.load(tenantId).catch(() => undefined);
        for (const r of await this.recordings.runningOn(tenantId, workstationId)) {
          if (
            !event.login ||
            !r.screen_recording_login ||
            !loginsMatch(r.screen_recording_login, event.login)
          ) {
            await this.commands.stop(tenantId, r.id, 'agent logged off');
            await this.commands.end(tenantId, r.id, 'uploading', 'agent logged off during the call');
          }
        }
        if (event.type === 'connected' && event.pendingSegments && event.state === 'authorized')
          await this.notices.answerPending(tenantId, workstationId, event.pendingSegments);
        if (event.login && (event.type === 'session' || event.state === 'authorized'))
          await this.waiting.startFor(tenantId, event.login);
        return;
      }
      case 'authorization': {
        // An admin approved a connected workstation: its user's calls in progress start recording now.
        if (event.state !== 'authorized') return;
        const workstation = await this.workstations.get(tenantId, workstationId);
        if (workstation?.login) await this.waiting.startFor(tenantId, workstation.login);
        return;
      }
      case 'disconnected': {
        for (const r of await this.recordings.openOn(tenantId, workstationId))
          await this.commands.end(tenantId, r.id, 'uploading', 'workstation disconnected during the capture');
        return;
      }
      case 'capture':
        return this.capture(event);
    }
  }

  private async capture(event: Extract<AgentEvent, { type: 'capture' }>): Promise<void> {
    const { tenantId, workstationId } = event;
    const m = event.message;
    const unknown = () =>
      this.log.logger.warn({ workstationId, captureId: m.captureId }, 'agent reported an unknown capture');
    if (m.type === 'capture.started') {
      if (!(await this.recordings.setStartedAt(tenantId, workstationId, m.captureId, new Date(m.startedAt))))
        unknown();
      return;
    }
    const recording = await this.recordings.byCapture(tenantId, workstationId, m.captureId);
    // A capture whose decision was lost (the host died before writing it; its rows, if any, were re-created
    // from an upload): nothing here will stop it, so it is stopped now; its segments still upload.
    if (m.type === 'capture.segment' && (!recording || recording.recovered_at)) {
      this.commands.sendStop(
        tenantId,
        workstationId,
        m.captureId,
        'the host has no decision for this capture',
      );
      this.log.logger.info({ workstationId, captureId: m.captureId }, 'stopped a capture the host had lost');
    }
    if (!recording) return unknown();
    if (m.type === 'capture.segment') {
      const s = m.segment;
      await this.segments.upsert(
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
      await this.commands.end(tenantId, recording.id, 'uploading', m.reason);
    } else if (m.type === 'capture.failed') {
      await this.commands.end(tenantId, recording.id, 'uploading', `capture failed: ${m.error}`);
    } else if (m.type === 'capture.refused') {
      await this.commands.end(tenantId, recording.id, 'none', `agent refused: ${m.reason}`);
      await this.calls.noteRefused(recording.id, `agent-refused: ${m.reason}`);
    }
  }
}
