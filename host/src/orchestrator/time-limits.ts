import { type Clock, type ScreenRecordingSettings, TOKENS } from '@deskrec/core';
import type { CallLegsRepo } from '../db/repos/call-legs.js';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { SettingsRepo } from '../db/repos/settings.js';
import type { Job } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import type { JobSignal } from '../jobs/job-signal.js';
import { HOST_TOKENS } from '../tokens.js';
import type { CaptureCommands } from './capture-commands.js';
import { workstationTag } from './decide-start.js';
import type { DecisionLog } from './decision-log.js';
import type { LiveState } from './live-state.js';
import type { TaskQueue } from './task-queue.js';

export const CAPTURE_STOP_JOB = 'capture-stop';

/**
 * When a capture stops without a call telling it to: after the tenant's wrap-up time once its last call
 * ended, and at the maximum recording duration whatever the calls do. Both are durable jobs whose run time
 * comes from the host clock, so they survive a restart and tests move the clock instead of waiting.
 */
@injectable()
export class TimeLimits {
  constructor(
    @inject(HOST_TOKENS.JobsRepo) private readonly jobs: JobsRepo,
    @inject(HOST_TOKENS.SettingsRepo) private readonly settings: SettingsRepo,
    @inject(HOST_TOKENS.CallLegsRepo) private readonly legs: CallLegsRepo,
    @inject(HOST_TOKENS.CaptureCommands) private readonly commands: CaptureCommands,
    @inject(HOST_TOKENS.TaskQueue) private readonly queue: TaskQueue,
    @inject(HOST_TOKENS.LiveState) private readonly live: LiveState,
    @inject(HOST_TOKENS.JobSignal) private readonly signal: JobSignal,
    @inject(HOST_TOKENS.DecisionLog) private readonly log: DecisionLog,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** The durable stop at the tenant's maximum recording duration, whatever the calls do. */
  maxDurationJob(recordingId: string, settings: ScreenRecordingSettings) {
    return {
      kind: CAPTURE_STOP_JOB,
      payload: { recordingId, reason: 'max-duration' },
      runAfter: new Date(this.clock.now().getTime() + settings.maxRecordingSeconds * 1000),
    };
  }

  async queueMaxDuration(
    tenantId: string,
    recordingId: string,
    settings: ScreenRecordingSettings,
  ): Promise<void> {
    const job = this.maxDurationJob(recordingId, settings);
    await this.jobs.enqueue(tenantId, job.kind, job.payload, job.runAfter);
  }

  /** After a leg ended: stop its capture once no other call holds it, after the wrap-up time. */
  async release(
    tenantId: string,
    recordingId: string,
    externalCallId: string,
    legEndedAt: Date,
  ): Promise<void> {
    if (await this.legs.hasOpen(tenantId, recordingId)) {
      this.log.call(externalCallId, 'capture continues: another call of the agent is still going', {
        recordingId,
      });
      return;
    }
    const { wrapUpSeconds } = await this.settings.get(tenantId);
    if (wrapUpSeconds === 0) {
      await this.commands.stop(tenantId, recordingId, 'call ended');
      this.log.call(externalCallId, 'capture stopped at call end', { recordingId });
      return;
    }
    // The latest end among the capture's calls (not this event's time: phone-system events may come unordered).
    const lastEnd = (await this.legs.lastEnd(tenantId, recordingId)) ?? legEndedAt;
    await this.jobs.enqueue(
      tenantId,
      CAPTURE_STOP_JOB,
      { recordingId, reason: 'wrap-up', legEndedAt: lastEnd.toISOString() },
      new Date(this.clock.now().getTime() + wrapUpSeconds * 1000),
    );
    this.signal.notify();
    this.log.call(externalCallId, `capture continues for ${wrapUpSeconds} s of wrap-up`, { recordingId });
  }

  /** The durable capture-stop job: wrap-up over, or the maximum recording duration reached. */
  async runStopJob(job: Job): Promise<void> {
    const { recordingId, reason, legEndedAt } = job.payload as {
      recordingId: string;
      reason: string;
      legEndedAt?: string;
    };
    const tenantId = job.tenant_id;
    const workstationId = this.live.peek(tenantId)?.workstationOfRecording(recordingId);
    const tags = workstationId ? [workstationTag(tenantId, workstationId)] : undefined;
    await this.queue.run(tags, async () => {
      if (reason === 'wrap-up' && (await this.legs.hasOpen(tenantId, recordingId))) return;
      // A call that joined during wrap-up and ended later queued its own wrap-up: this job leaves the
      // decision to it. Compares phone-system times only, so host clock skew does not matter.
      if (
        reason === 'wrap-up' &&
        legEndedAt &&
        (await this.legs.endedAfter(tenantId, recordingId, new Date(legEndedAt)))
      ) {
        this.log.logger.info({ recordingId }, 'wrap-up extended: a later call of the capture ended since');
        return;
      }
      await this.commands.stop(
        tenantId,
        recordingId,
        reason === 'max-duration' ? 'maximum recording duration reached' : 'wrap-up time over',
      );
    });
  }
}
