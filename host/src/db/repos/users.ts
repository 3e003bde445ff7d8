import { randomUUID } from 'node:crypto';
import { type Clock, TOKENS } from '@deskrec/core';
import { type Kysely, sql } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database, User } from '../schema.js';

export interface UserInput {
  name: string;
  screenRecordingLogin: string | null;
  seatLicence: boolean;
  extensions: string[];
  externalId: string | null;
}

export interface UserView extends UserInput {
  id: string;
  createdAt: Date;
}

/** Why a user could not be saved: which field collides with another user of the tenant. */
export class UserConflictError extends Error {
  constructor(
    readonly field: 'screenRecordingLogin' | 'extensions' | 'externalId',
    message: string,
  ) {
    super(message);
  }
}

/** Logins match case-insensitively, as Windows does. */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}

function toView(row: User, extensions: string[]): UserView {
  return {
    id: row.id,
    name: row.name,
    screenRecordingLogin: row.screen_recording_login,
    seatLicence: row.seat_licence,
    extensions,
    externalId: row.external_id,
    createdAt: new Date(row.created_at),
  };
}

@injectable()
export class UsersRepo {
  private readonly listeners = new Set<(tenantId: string) => void>();

  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** Called after a user of the tenant was created, changed or deleted here (caches drop their copy). */
  onChange(listener: (tenantId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(tenantId: string): void {
    for (const listener of this.listeners) listener(tenantId);
  }

  /** Every user of the tenant with their extensions, for the orchestrator's in-memory index. */
  async all(tenantId: string): Promise<UserView[]> {
    const rows = await this.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).execute();
    const extensions = await this.db
      .selectFrom('user_extensions')
      .select(['user_id', 'extension'])
      .where('tenant_id', '=', tenantId)
      .orderBy('extension')
      .execute();
    const byUser = new Map<string, string[]>();
    for (const row of extensions)
      byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.extension]);
    return rows.map((r) => toView(r, byUser.get(r.id) ?? []));
  }

  private async extensionsOf(tenantId: string, userIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (!userIds.length) return out;
    const rows = await this.db
      .selectFrom('user_extensions')
      .select(['user_id', 'extension'])
      .where('tenant_id', '=', tenantId)
      .where('user_id', 'in', userIds)
      .orderBy('extension')
      .execute();
    for (const row of rows) out.set(row.user_id, [...(out.get(row.user_id) ?? []), row.extension]);
    return out;
  }

  async list(tenantId: string, search?: string): Promise<UserView[]> {
    let query = this.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId);
    if (search) {
      const like = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) =>
        eb.or([eb(sql`lower(name)`, 'like', like), eb('screen_recording_login_norm', 'like', like)]),
      );
    }
    const rows = await query.orderBy('name').limit(1000).execute();
    const extensions = await this.extensionsOf(
      tenantId,
      rows.map((r) => r.id),
    );
    return rows.map((r) => toView(r, extensions.get(r.id) ?? []));
  }

  async get(tenantId: string, id: string): Promise<UserView | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return toView(row, (await this.extensionsOf(tenantId, [id])).get(id) ?? []);
  }

  /** The licensed user whose screen-recording login matches (case-insensitive), for the orchestrator. */
  async byLogin(tenantId: string, login: string): Promise<UserView | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('screen_recording_login_norm', '=', normalizeLogin(login))
      .executeTakeFirst();
    return row ? this.get(tenantId, row.id) : undefined;
  }

  async byExtension(tenantId: string, extension: string): Promise<UserView | undefined> {
    const row = await this.db
      .selectFrom('user_extensions')
      .select('user_id')
      .where('tenant_id', '=', tenantId)
      .where('extension', '=', extension)
      .executeTakeFirst();
    return row ? this.get(tenantId, row.user_id) : undefined;
  }

  private async checkConflicts(tenantId: string, input: UserInput, exceptId?: string): Promise<void> {
    if (input.screenRecordingLogin) {
      const other = await this.db
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('screen_recording_login_norm', '=', normalizeLogin(input.screenRecordingLogin))
        .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId!))
        .executeTakeFirst();
      if (other) {
        throw new UserConflictError(
          'screenRecordingLogin',
          `Another user already has the screen recording login "${input.screenRecordingLogin}" (logins are not case-sensitive)`,
        );
      }
    }
    if (input.extensions.length) {
      const taken = await this.db
        .selectFrom('user_extensions')
        .select('extension')
        .where('tenant_id', '=', tenantId)
        .where('extension', 'in', input.extensions)
        .$if(exceptId !== undefined, (q) => q.where('user_id', '!=', exceptId!))
        .execute();
      if (taken.length) {
        throw new UserConflictError(
          'extensions',
          `Extension ${taken.map((t) => t.extension).join(', ')} already belongs to another user`,
        );
      }
    }
    if (input.externalId) {
      const other = await this.db
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('external_id', '=', input.externalId)
        .$if(exceptId !== undefined, (q) => q.where('id', '!=', exceptId!))
        .executeTakeFirst();
      if (other) throw new UserConflictError('externalId', 'Another user already has this external id');
    }
  }

  private columnsOf(input: UserInput) {
    return {
      name: input.name,
      screen_recording_login: input.screenRecordingLogin,
      screen_recording_login_norm: input.screenRecordingLogin
        ? normalizeLogin(input.screenRecordingLogin)
        : null,
      seat_licence: input.seatLicence,
      external_id: input.externalId,
    };
  }

  private async writeExtensions(
    trx: Kysely<Database>,
    tenantId: string,
    userId: string,
    extensions: string[],
  ): Promise<void> {
    await trx
      .deleteFrom('user_extensions')
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .execute();
    if (extensions.length) {
      await trx
        .insertInto('user_extensions')
        .values(extensions.map((extension) => ({ tenant_id: tenantId, user_id: userId, extension })))
        .execute();
    }
  }

  /** Unique constraints still guard against a concurrent writer; checks first give named errors. */
  async create(tenantId: string, input: UserInput): Promise<UserView> {
    await this.checkConflicts(tenantId, input);
    const id = randomUUID();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({ id, tenant_id: tenantId, created_at: this.clock.now(), ...this.columnsOf(input) })
        .execute();
      await this.writeExtensions(trx, tenantId, id, input.extensions);
    });
    this.changed(tenantId);
    return (await this.get(tenantId, id))!;
  }

  async update(tenantId: string, id: string, input: UserInput): Promise<UserView | undefined> {
    if (!(await this.get(tenantId, id))) return undefined;
    await this.checkConflicts(tenantId, input, id);
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('users')
        .set(this.columnsOf(input))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
      await this.writeExtensions(trx, tenantId, id, input.extensions);
    });
    this.changed(tenantId);
    return this.get(tenantId, id);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('users')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    this.changed(tenantId);
    return Number(result.numDeletedRows) > 0;
  }
}
