import { type Clock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database, HostEntry } from '../schema.js';

export interface HostRow {
  id: string;
  name: string;
  startedAt: Date;
  heartbeatAt: Date;
}

/** The hosts sharing this database and when each last said it was alive (not tenant data: no tenant scope). */
@injectable()
export class HostsRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** Registers a (re)started host. */
  async started(id: string, name: string): Promise<void> {
    const now = this.clock.now();
    await this.db
      .insertInto('hosts')
      .values({ id, name, started_at: now, heartbeat_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ name, started_at: now, heartbeat_at: now }))
      .execute();
  }

  async beat(id: string): Promise<void> {
    await this.db.updateTable('hosts').set({ heartbeat_at: this.clock.now() }).where('id', '=', id).execute();
  }

  /** Hosts whose last heartbeat is within `aliveMs` of now. */
  async alive(aliveMs: number): Promise<HostRow[]> {
    const since = new Date(this.clock.now().getTime() - aliveMs);
    const rows = await this.db.selectFrom('hosts').selectAll().where('heartbeat_at', '>=', since).execute();
    return rows.map(toRow);
  }

  async byId(id: string): Promise<HostRow | undefined> {
    const row = await this.db.selectFrom('hosts').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toRow(row) : undefined;
  }

  /** True when the host has not beaten for `aliveMs` (or was never seen). */
  async isGone(id: string, aliveMs: number): Promise<boolean> {
    const row = await this.byId(id);
    return !row || this.clock.now().getTime() - row.heartbeatAt.getTime() > aliveMs;
  }
}

const toRow = (r: HostEntry): HostRow => ({
  id: r.id,
  name: r.name,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
});
