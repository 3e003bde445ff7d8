import { randomBytes } from 'node:crypto';
import type { Logger } from '@deskrec/core';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { Job } from '../db/schema.js';

/** What a handler tells the runner when a job could not finish. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

export type JobHandler = (job: Job) => Promise<void>;

export interface JobRunnerOptions {
  jobs: JobsRepo;
  logger: Logger;
  handlers: Record<string, JobHandler>;
  pollMs?: number;
  lockMs?: number;
  concurrency?: number;
  /** Longest pause between retries of one job. */
  maxBackoffMs?: number;
}

/**
 * Runs durable jobs from the jobs table. A failed job is retried with growing pauses, forever: a
 * recording must reach storage, so a job is never dropped; its last error is kept for admins.
 */
export class JobRunner {
  private readonly worker = `host-${process.pid}-${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly options: JobRunnerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs a pass now (e.g. right after a job was enqueued) instead of waiting for the next poll. */
  poke(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.idle = this.pass();
    }, ms);
  }

  private backoff(attempts: number): number {
    return Math.min(this.options.maxBackoffMs ?? 10 * 60_000, 2000 * 2 ** Math.min(attempts - 1, 16));
  }

  private async pass(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    const { jobs, logger, handlers } = this.options;
    try {
      for (;;) {
        const claimed = await jobs.claim({
          worker: this.worker,
          kinds: Object.keys(handlers),
          limit: this.options.concurrency ?? 2,
          lockMs: this.options.lockMs ?? 10 * 60_000,
          now: new Date(),
        });
        if (!claimed.length || this.stopped) break;
        await Promise.all(
          claimed.map(async (job) => {
            try {
              await handlers[job.kind]!(job);
              await jobs.complete(job.tenant_id, job.id, this.worker);
            } catch (error) {
              const message = (error as Error).message ?? String(error);
              const delay = this.backoff(job.attempts) * ((error as RetryLater).permanent ? 3 : 1);
              logger.warn(
                { job: job.id, kind: job.kind, attempts: job.attempts, retryInMs: delay, err: message },
                'job failed; will retry',
              );
              await jobs.fail(job.tenant_id, job.id, this.worker, message, new Date(Date.now() + delay));
            }
          }),
        );
      }
    } catch (error) {
      logger.error(
        { err: (error as Error).message },
        'job runner pass failed (database unreachable?); retrying',
      );
    } finally {
      this.running = false;
      if (!this.stopped) this.schedule(this.options.pollMs ?? 2000);
    }
  }
}
