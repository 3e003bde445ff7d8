import { randomUUID } from 'node:crypto';
import { type Clock, TOKENS } from '@deskrec/core';
import { Algorithm, hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { AdminRole, AdminUser, Database } from '../schema.js';

export type AdminUserView = Omit<AdminUser, 'password_hash'>;
const columns = ['id', 'tenant_id', 'username', 'role', 'disabled', 'created_at'] as const;

/** A hash to verify against when the user does not exist, so timing does not reveal valid usernames. */
let decoyHash: Promise<string> | undefined;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: Algorithm.Argon2id });
}

@injectable()
export class AdminUsersRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async create(
    tenantId: string,
    input: { username: string; password: string; role: AdminRole },
  ): Promise<AdminUserView> {
    return this.db
      .insertInto('admin_users')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        username: input.username,
        password_hash: await hashPassword(input.password),
        role: input.role,
        created_at: this.clock.now(),
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
  }

  list(tenantId: string): Promise<AdminUserView[]> {
    return this.db
      .selectFrom('admin_users')
      .select(columns)
      .where('tenant_id', '=', tenantId)
      .orderBy('username')
      .execute();
  }

  get(tenantId: string, id: string): Promise<AdminUserView | undefined> {
    return this.db
      .selectFrom('admin_users')
      .select(columns)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** The enabled user whose password matches, or undefined (same work either way). */
  async verify(tenantId: string, username: string, password: string): Promise<AdminUserView | undefined> {
    const row = await this.db
      .selectFrom('admin_users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('username', '=', username)
      .executeTakeFirst();
    decoyHash ??= hashPassword('decoy-password-never-used');
    const ok = await verify(row?.password_hash ?? (await decoyHash), password).catch(() => false);
    if (!row || !ok || row.disabled) return undefined;
    const { password_hash: _omit, ...user } = row;
    return user;
  }

  /** The user of that name in the tenant, disabled or not. */
  byUsername(tenantId: string, username: string): Promise<AdminUserView | undefined> {
    return this.db
      .selectFrom('admin_users')
      .select(columns)
      .where('tenant_id', '=', tenantId)
      .where('username', '=', username)
      .executeTakeFirst();
  }

  async setPassword(tenantId: string, id: string, password: string): Promise<boolean> {
    const result = await this.db
      .updateTable('admin_users')
      .set({ password_hash: await hashPassword(password) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async setDisabled(tenantId: string, id: string, disabled: boolean): Promise<boolean> {
    const result = await this.db
      .updateTable('admin_users')
      .set({ disabled })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Sets a new password and enables the account (the demo's admin, whose first password is gone). */
  async resetPassword(tenantId: string, username: string, password: string): Promise<void> {
    await this.db
      .updateTable('admin_users')
      .set({ password_hash: await hashPassword(password), disabled: false })
      .where('tenant_id', '=', tenantId)
      .where('username', '=', username)
      .execute();
  }
}
