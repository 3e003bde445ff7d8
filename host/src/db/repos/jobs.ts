import { type Clock, TOKENS } from '@deskrec/core';
import { type Kysely, sql } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database, Job } from '../schema.js';

/** A durable background job queue in the database, shared safely by several hosts. */
@injectable()
export class JobsRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async enqueue(
    tenantId: string,
    kind: string,
    payload: Record<string, unknown>,
    runAfter?: Date,
    /** The only host that may run it; any host when absent. */
    hostId?: string,
  ): Promise<number> {
    const now = this.clock.now();
    const row = await this.db
      .insertInto('jobs')
      .values({
        tenant_id: tenantId,
        kind,
        payload: JSON.stringify(payload),
        run_after: runAfter ?? now,
        last_error: null,
        locked_by: null,
        locked_until: null,
        created_at: now,
        updated_at: now,
        ...(hostId ? { host_id: hostId } : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /**
   * Claims up to `limit` due jobs for `worker`. SKIP LOCKED lets several hosts claim concurrently without
   * waiting on each other; a running job whose lock expired (its host died) is claimed again, by that host
   * when the job is bound to it (see StoreHandBack for a host that is gone).
   */
  async claim(input: {
    worker: string;
    kinds: string[];
    limit: number;
    lockMs: number;
    now: Date;
    /** This host: jobs bound to another host are left to it. */
    hostId?: string;
  }): Promise<Job[]> {
    if (!input.kinds.length) return [];
    const lockedUntil = new Date(input.now.getTime() + input.lockMs);
    return this.db.transaction().execute(async (trx) => {
      const due = await trx
        .selectFrom('jobs')
        .select('id')
        .where('kind', 'in', input.kinds)
        .where('run_after', '<=', input.now)
        .where((eb) =>
          eb.or([
            eb('state', '=', 'queued'),
            eb.and([eb('state', '=', 'running'), eb('locked_until', '<', input.now)]),
          ]),
        )
        .$if(input.hostId !== undefined, (q) =>
          q.where((eb) => eb.or([eb('host_id', 'is', null), eb('host_id', '=', input.hostId!)])),
        )
        .orderBy('run_after')
        .limit(input.limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (!due.length) return [];
      return trx
        .updateTable('jobs')
        .set({
          state: 'running',
          locked_by: input.worker,
          locked_until: lockedUntil,
          attempts: sql<number>`attempts + 1`,
          updated_at: input.now,
        })
        .where(
          'id',
          'in',
          due.map((d) => d.id),
        )
        .returningAll()
        .execute();
    });
  }

  async complete(tenantId: string, id: number, worker: string): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ state: 'done', locked_by: null, locked_until: null, updated_at: this.clock.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('locked_by', '=', worker)
      .execute();
  }

  /** Records a failure: retried after `retryAt`, or failed for good when `retryAt` is undefined. */
  async fail(tenantId: string, id: number, worker: string, error: string, retryAt?: Date): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        state: retryAt ? 'queued' : 'failed',
        run_after: retryAt ?? this.clock.now(),
        last_error: error.slice(0, 4000),
        locked_by: null,
        locked_until: null,
        updated_at: this.clock.now(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('locked_by', '=', worker)
      .execute();
  }

  get(tenantId: string, id: number): Promise<Job | undefined> {
    return this.db
      .selectFrom('jobs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
