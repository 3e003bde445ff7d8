import { type Kysely, sql } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database, Workstation, WorkstationStateColumn } from '../schema.js';

export interface WorkstationView {
  id: string;
  state: WorkstationStateColumn;
  conflict: boolean;
  conflictAt: Date | null;
  computerName: string;
  domain: string | null;
  os: { platform: string; release: string } | null;
  agentVersion: string | null;
  captureBackend: string | null;
  monitors: unknown[];
  login: string | null;
  remoteAddress: string | null;
  online: boolean;
  firstSeen: Date;
  lastSeen: Date;
}

function toView(row: Workstation): WorkstationView {
  return {
    id: row.id,
    state: row.state,
    conflict: row.conflict,
    conflictAt: row.conflict_at ? new Date(row.conflict_at) : null,
    computerName: row.computer_name,
    domain: row.domain,
    os: row.os,
    agentVersion: row.agent_version,
    captureBackend: row.capture_backend,
    monitors: row.monitors ?? [],
    login: row.login,
    remoteAddress: row.remote_address,
    online: row.online,
    firstSeen: new Date(row.first_seen),
    lastSeen: new Date(row.last_seen),
  };
}

@injectable()
export class WorkstationsRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  /** Filter by state; search matches domain, computer name or IP address (case-insensitive substring). */
  async list(
    tenantId: string,
    filter: { state?: WorkstationStateColumn; search?: string; limit?: number; offset?: number } = {},
  ): Promise<{ items: WorkstationView[]; total: number }> {
    let query = this.db.selectFrom('workstations').where('tenant_id', '=', tenantId);
    if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.search) {
      const like = `%${filter.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([
          eb(sql`lower(coalesce(domain, ''))`, 'like', like),
          eb(sql`lower(computer_name)`, 'like', like),
          eb(sql`lower(coalesce(remote_address, ''))`, 'like', like),
        ]),
      );
    }
    const [rows, count] = await Promise.all([
      query
        .selectAll()
        .orderBy('state', 'desc')
        .orderBy('computer_name')
        .orderBy('id')
        .limit(filter.limit ?? 100)
        .offset(filter.offset ?? 0)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toView), total: Number(count.n) };
  }

  async get(tenantId: string, id: string): Promise<WorkstationView | undefined> {
    const row = await this.db
      .selectFrom('workstations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toView(row) : undefined;
  }

  /** Sets the state of the listed workstations of this tenant; returns the ids that exist. */
  async setState(tenantId: string, ids: string[], state: WorkstationStateColumn): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.db
      .updateTable('workstations')
      // Authorizing clears a conflict flag: the admin has looked at it.
      .set(state === 'authorized' ? { state, conflict: false, conflict_at: null } : { state })
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async delete(tenantId: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await this.db
      .deleteFrom('workstations')
      .where('tenant_id', '=', tenantId)
      .where('id', 'in', ids)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }
}
