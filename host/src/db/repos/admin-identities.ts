import { type Clock, TOKENS } from '@deskrec/core';
import { type Kysely, sql } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { AdminRole, Database } from '../schema.js';
import type { AdminUserView } from './admin-users.js';

const userColumns = ['u.id', 'u.tenant_id', 'u.username', 'u.role', 'u.disabled', 'u.created_at'] as const;

/** Single sign-on identities (issuer + subject) of admin users. */
@injectable()
export class AdminIdentitiesRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** The user the identity is linked to, disabled or not. */
  userOf(tenantId: string, issuer: string, subject: string): Promise<AdminUserView | undefined> {
    return this.db
      .selectFrom('admin_identities as i')
      .innerJoin('admin_users as u', 'u.id', 'i.user_id')
      .select(userColumns)
      .where('i.tenant_id', '=', tenantId)
      .where('u.tenant_id', '=', tenantId)
      .where('i.issuer', '=', issuer)
      .where('i.subject', '=', subject)
      .executeTakeFirst();
  }

  /** The user whose username is this (email) address, ignoring case, if no other identity of the issuer claims it. */
  unlinkedByUsername(tenantId: string, issuer: string, username: string): Promise<AdminUserView | undefined> {
    return this.db
      .selectFrom('admin_users as u')
      .select(userColumns)
      .where('u.tenant_id', '=', tenantId)
      .where(sql<string>`lower(u.username)`, '=', username.toLowerCase())
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('admin_identities as i')
              .select('i.subject')
              .whereRef('i.user_id', '=', 'u.id')
              .where('i.issuer', '=', issuer),
          ),
        ),
      )
      .executeTakeFirst();
  }

  async link(tenantId: string, issuer: string, subject: string, userId: string): Promise<void> {
    const now = this.clock.now();
    await this.db
      .insertInto('admin_identities')
      .values({ tenant_id: tenantId, issuer, subject, user_id: userId, created_at: now, last_sign_in: now })
      .execute();
  }

  /** Notes the sign-in and sets the role the provider's claims give now. */
  async signedIn(tenantId: string, issuer: string, subject: string, userId: string, role: AdminRole) {
    await this.db
      .updateTable('admin_identities')
      .set({ last_sign_in: this.clock.now() })
      .where('tenant_id', '=', tenantId)
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .execute();
    await this.db
      .updateTable('admin_users')
      .set({ role })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', userId)
      .where('role', '<>', role)
      .execute();
  }
}
