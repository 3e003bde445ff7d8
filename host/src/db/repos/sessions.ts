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

/** One of a user's sessions as the user sees it; `id` is a handle, never the stored token digest. */
export interface SessionView {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** Last use is written at most once a minute per session, not on every request. */
const TOUCH_EVERY_MS = 60_000;

/** The handle a session is listed and revoked by: derived from the digest, and useless for signing in. */
export function sessionHandle(sessionId: string): string {
  return sha256Hex(`session-handle:${sessionId}`).slice(0, 32);
}

async function touchSession(
  db: Kysely<Database>,
  row: { id: string; last_used_at: Date | string | null },
  now: Date,
): Promise<void> {
  if (row.last_used_at && now.getTime() - new Date(row.last_used_at).getTime() < TOUCH_EVERY_MS) return;
  await db.updateTable('admin_sessions').set({ last_used_at: now }).where('id', '=', row.id).execute();
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
    userAgent?: string | undefined;
    now: Date;
    /** A sign-in waiting for its second factor: `find` does not take it for a session. */
    secondFactorPending?: boolean;
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
        last_used_at: input.now,
        // Shown to the admin only, but bounded: the header is the client's to choose.
        user_agent: input.userAgent?.slice(0, 512) ?? null,
        second_factor_pending: input.secondFactorPending ?? false,
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
        's.last_used_at',
        'u.username',
        'u.role',
        'u.disabled',
        't.state',
      ])
      .where('s.id', '=', sha256Hex(token))
      .where('s.expires_at', '>', now)
      .where('s.second_factor_pending', '=', false)
      .executeTakeFirst();
    if (!row || row.disabled) return undefined;
    await touchSession(this.db, row, now);
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

  /** The user's live sessions (not sign-ins waiting for a second factor), most recently used first. */
  async listForUser(tenantId: string, userId: string, now: Date): Promise<SessionView[]> {
    const rows = await this.db
      .selectFrom('admin_sessions')
      .select(['id', 'created_at', 'last_used_at', 'expires_at', 'ip', 'user_agent'])
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .where('second_factor_pending', '=', false)
      .execute();
    return rows
      .map((r) => ({
        id: sessionHandle(r.id),
        createdAt: new Date(r.created_at),
        lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
        expiresAt: new Date(r.expires_at),
        ip: r.ip,
        userAgent: r.user_agent,
      }))
      .sort((a, b) => (b.lastUsedAt ?? b.createdAt).getTime() - (a.lastUsedAt ?? a.createdAt).getTime());
  }

  /** Ends the user's session with this handle; false when the user has none such. */
  async deleteByHandle(tenantId: string, userId: string, handle: string): Promise<boolean> {
    const rows = await this.db
      .selectFrom('admin_sessions')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .execute();
    const match = rows.find((r) => sessionHandle(r.id) === handle);
    if (!match) return false;
    await this.delete(tenantId, match.id);
    return true;
  }

  /** The user of a live sign-in waiting for its second factor, or undefined when the token names none. */
  async findPending(
    token: string,
    now: Date,
  ): Promise<{ userId: string; tenantId: string; username: string; role: AdminRole } | undefined> {
    const row = await this.db
      .selectFrom('admin_sessions as s')
      .innerJoin('admin_users as u', (join) =>
        join.onRef('u.id', '=', 's.user_id').onRef('u.tenant_id', '=', 's.tenant_id'),
      )
      .select(['s.id', 's.user_id', 's.tenant_id', 'u.username', 'u.role', 'u.disabled'])
      .where('s.id', '=', sha256Hex(token))
      .where('s.expires_at', '>', now)
      .where('s.second_factor_pending', '=', true)
      .executeTakeFirst();
    if (!row || row.disabled) return undefined;
    return { userId: row.user_id, tenantId: row.tenant_id, username: row.username, role: row.role };
  }

  async deletePending(token: string): Promise<void> {
    await this.db
      .deleteFrom('admin_sessions')
      .where('id', '=', sha256Hex(token))
      .where('second_factor_pending', '=', true)
      .execute();
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
