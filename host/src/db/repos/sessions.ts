import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { AdminRole, Database, TenantState } from '../schema.js';
import { newToken, sha256Hex } from '../secrets.js';

export interface SessionUser {
  sessionId: string;
  userId: string;
  /** The tenant acted in: the user's own, or the one a provider admin switched to. */
  tenantId: string;
  /** The tenant the user belongs to. */
  homeTenantId: string;
  /** The acted-in tenant's state: only a provider admin gets past a suspended one. */
  tenantState: TenantState;
  /** Set while a provider admin acts in another tenant: that tenant's slug. */
  actingSlug?: string;
  username: string;
  role: AdminRole;
  expiresAt: Date;
}

@injectable()
export class SessionsRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  /** Starts a session; returns the token (only its hash is stored). */
  async create(input: {
    userId: string;
    tenantId: string;
    ttlMs: number;
    ip: string | null;
    now: Date;
  }): Promise<{ token: string; expiresAt: Date }> {
    const token = newToken(32);
    const expiresAt = new Date(input.now.getTime() + input.ttlMs);
    await this.db
      .insertInto('admin_sessions')
      .values({
        id: sha256Hex(token),
        user_id: input.userId,
        tenant_id: input.tenantId,
        expires_at: expiresAt,
        created_at: input.now,
        ip: input.ip,
      })
      .execute();
    return { token, expiresAt };
  }

  /** The live session of a token, with its user; expired sessions and disabled users give undefined. */
  async find(token: string, now: Date): Promise<SessionUser | undefined> {
    const row = await this.db
      .selectFrom('admin_sessions as s')
      .innerJoin('admin_users as u', (join) =>
        join.onRef('u.id', '=', 's.user_id').onRef('u.tenant_id', '=', 's.tenant_id'),
      )
      .innerJoin('tenants as t', 't.id', 's.tenant_id')
      .select([
        's.id',
        's.user_id',
        's.tenant_id',
        's.expires_at',
        'u.username',
        'u.role',
        'u.disabled',
        't.state',
      ])
      .where('s.id', '=', sha256Hex(token))
      .where('s.expires_at', '>', now)
      .executeTakeFirst();
    if (!row || row.disabled) return undefined;
    return {
      sessionId: row.id,
      userId: row.user_id,
      tenantId: row.tenant_id,
      homeTenantId: row.tenant_id,
      tenantState: row.state,
      username: row.username,
      role: row.role,
      expiresAt: new Date(row.expires_at),
    };
  }

  async delete(tenantId: string, sessionId: string): Promise<void> {
    await this.db
      .deleteFrom('admin_sessions')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', sessionId)
      .execute();
  }

  /** Ends every session of a user (but `keep`, the one making the change); returns how many ended. */
  async deleteForUser(tenantId: string, userId: string, keep?: string): Promise<number> {
    let query = this.db
      .deleteFrom('admin_sessions')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId);
    if (keep) query = query.where('id', '!=', keep);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(now: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('admin_sessions')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
