import { randomBytes } from 'node:crypto';
import { type Clock, type Logger, TOKENS } from '@deskrec/core';
import type { HostConfig } from '../config/schema.js';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { Job } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import type { JobSignal } from './job-signal.js';
import type { StoreHandBack } from './store-hand-back.js';

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

/** The handler of each job kind; the composition root builds it from the job classes. */
export type JobHandlers = Record<string, JobHandler>;

export interface JobTuning {
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
@injectable()
export class JobRunner {
  private readonly worker = `host-${process.pid}-${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = true;
  private idle: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly options: JobTuning;
  private readonly logger: Logger;

  constructor(
    @inject(HOST_TOKENS.JobsRepo) private readonly jobs: JobsRepo,
    @inject(HOST_TOKENS.JobHandlers) private readonly handlers: JobHandlers,
    @inject(HOST_TOKENS.JobSignal) private readonly signal: JobSignal,
    @inject(TOKENS.Logger) logger: Logger,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(HOST_TOKENS.Config) config: Pick<HostConfig, 'jobs'>,
    @inject(HOST_TOKENS.HostId) private readonly hostId: string,
    @inject(HOST_TOKENS.StoreHandBack) private readonly handBack: StoreHandBack,
  ) {
    this.logger = logger.child({ component: 'jobs' });
    this.options = { pollMs: config.jobs.pollMs };
  }

  start(): void {
    this.stopped = false;
    this.unsubscribe = this.signal.subscribe(() => this.poke());
    this.schedule(0);
  }

  /** Runs one pass over the due jobs now and waits for it (tests run due jobs after moving the clock). */
  async runDue(): Promise<void> {
    while (this.running) await this.idle;
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.idle = this.pass();
    await this.idle;
  }

  /** Runs a pass now (e.g. right after a job was enqueued) instead of waiting for the next poll. */
  poke(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
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
    const { jobs, logger, handlers } = this;
    try {
      await this.handBack.sweep();
      for (;;) {
        const claimed = await jobs.claim({
          hostId: this.hostId,
          worker: this.worker,
          kinds: Object.keys(handlers),
          limit: this.options.concurrency ?? 2,
          lockMs: this.options.lockMs ?? 10 * 60_000,
          now: this.clock.now(),
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
              await jobs.fail(
                job.tenant_id,
                job.id,
                this.worker,
                message,
                new Date(this.clock.now().getTime() + delay),
              );
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
