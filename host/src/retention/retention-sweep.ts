import { type Clock, type Logger, TOKENS } from '@deskrec/core';
import type { RetentionRepo } from '../db/repos/retention.js';
import type { RetentionPoliciesRepo } from '../db/repos/retention-policies.js';
import { inject, injectable } from '../di.js';
import type { JobSignal } from '../jobs/job-signal.js';
import { HOST_TOKENS } from '../tokens.js';
import { RETENTION_JOB } from './retention-job.js';

const HOUR_MS = 3_600_000;
/** How often the timer asks the clock whether an hour has passed (the clock, not the timer, decides). */
const TICK_MS = 60_000;
/** Recordings queued per policy and sweep; the next sweep takes the rest. */
const BATCH = 1000;

/** Queues one retention job per due recording: at start, then each hour by the host clock. */
@injectable()
export class RetentionSweep {
  private timer: NodeJS.Timeout | undefined;
  private nextAt = 0;
  private running: Promise<number> | undefined;
  private readonly logger: Logger;

  constructor(
    @inject(HOST_TOKENS.RetentionPoliciesRepo) private readonly policies: RetentionPoliciesRepo,
    @inject(HOST_TOKENS.RetentionRepo) private readonly retention: RetentionRepo,
    @inject(HOST_TOKENS.JobSignal) private readonly signal: JobSignal,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'retention' });
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.clock.now().getTime() >= this.nextAt) void this.sweep().catch(() => undefined);
    }, TICK_MS);
    this.timer.unref();
    void this.sweep().catch(() => undefined);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One sweep now; resolves to the number of jobs queued (a sweep already under way is awaited instead). */
  sweep(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    this.nextAt = this.clock.now().getTime() + HOUR_MS;
    let queued = 0;
    try {
      for (const policy of await this.policies.all()) {
        for (const recordingId of await this.retention.due(policy, BATCH)) {
          if (await this.retention.enqueueOnce(policy.tenantId, recordingId, RETENTION_JOB, policy.id))
            queued++;
        }
      }
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'retention sweep failed; retrying at the next');
      throw error;
    }
    if (queued) {
      this.logger.info({ queued }, 'retention sweep queued recordings');
      this.signal.notify();
    }
    return queued;
  }
}
