import { randomUUID } from 'node:crypto';
import { type Clock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database, Tenant, TenantState } from '../schema.js';
import { newToken, sha256Hex, tokenHint } from '../secrets.js';

export type TenantView = Omit<Tenant, 'screen_recording_token_hash'>;

const columns = ['id', 'slug', 'name', 'token_hint', 'created_at', 'state', 'state_changed_at'] as const;

@injectable()
export class TenantsRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** Creates a tenant with a fresh screen-recording token; the token is returned this once only. */
  async create(input: { slug: string; name: string }): Promise<{ tenant: TenantView; token: string }> {
    const token = newToken();
    const tenant = await this.db
      .insertInto('tenants')
      .values({
        id: randomUUID(),
        slug: input.slug,
        name: input.name,
        screen_recording_token_hash: sha256Hex(token),
        token_hint: tokenHint(token),
        created_at: this.clock.now(),
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    return { tenant, token };
  }

  get(tenantId: string): Promise<TenantView | undefined> {
    return this.db.selectFrom('tenants').select(columns).where('id', '=', tenantId).executeTakeFirst();
  }

  /** Every tenant (the doctor checks each one's storage targets). */
  list(): Promise<TenantView[]> {
    return this.db.selectFrom('tenants').select(columns).orderBy('slug').execute();
  }

  bySlug(slug: string): Promise<TenantView | undefined> {
    return this.db.selectFrom('tenants').select(columns).where('slug', '=', slug).executeTakeFirst();
  }

  async rename(tenantId: string, name: string): Promise<TenantView | undefined> {
    return this.db
      .updateTable('tenants')
      .set({ name })
      .where('id', '=', tenantId)
      .returning(columns)
      .executeTakeFirst();
  }

  /** Replaces the token: the old one stops admitting new workstations at once. */
  async resetToken(tenantId: string): Promise<string | undefined> {
    const token = newToken();
    const row = await this.db
      .updateTable('tenants')
      .set({ screen_recording_token_hash: sha256Hex(token), token_hint: tokenHint(token) })
      .where('id', '=', tenantId)
      .returning('id')
      .executeTakeFirst();
    return row ? token : undefined;
  }

  /** Moves a tenant between states; `from` guards the change (e.g. only an active tenant is suspended). */
  async setState(
    tenantId: string,
    state: TenantState,
    from: readonly TenantState[],
  ): Promise<TenantView | undefined> {
    return this.db
      .updateTable('tenants')
      .set({ state, state_changed_at: this.clock.now() })
      .where('id', '=', tenantId)
      .where('state', 'in', from)
      .returning(columns)
      .executeTakeFirst();
  }

  /**
   * Shuts an archived tenant out for good while keeping its data: the token is replaced by one nobody
   * holds, and every sign-in session ends.
   */
  async archive(tenantId: string): Promise<void> {
    const token = newToken();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('tenants')
        .set({
          state: 'archived',
          state_changed_at: this.clock.now(),
          screen_recording_token_hash: sha256Hex(token),
          token_hint: '',
        })
        .where('id', '=', tenantId)
        .execute();
      await trx.deleteFrom('admin_sessions').where('tenant_id', '=', tenantId).execute();
    });
  }

  /** Every object the tenant stored: screen segments and call audio, with the target holding each. */
  async storedObjects(
    tenantId: string,
  ): Promise<{ targetId: string | null; key: string | null; spoolPath: string | null }[]> {
    const segments = await this.db
      .selectFrom('segments')
      .select(['storage_target_id as targetId', 'storage_key as key', 'spool_path as spoolPath'])
      .where('tenant_id', '=', tenantId)
      .execute();
    const audio = await this.db
      .selectFrom('calls')
      .select(['audio_target_id as targetId', 'audio_key as key'])
      .where('tenant_id', '=', tenantId)
      .where('audio_key', 'is not', null)
      .execute();
    return [...segments, ...audio.map((a) => ({ ...a, spoolPath: null }))];
  }

  /** Removes the tenant; every row of it goes with it (each table's tenant key cascades). */
  async remove(tenantId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('tenants').where('id', '=', tenantId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The tenant and stored hash for a token's hash (the caller compares in constant time). */
  byTokenHash(hash: string): Promise<{ id: string; screen_recording_token_hash: string } | undefined> {
    return this.db
      .selectFrom('tenants')
      .select(['id', 'screen_recording_token_hash'])
      .where('screen_recording_token_hash', '=', hash)
      .executeTakeFirst();
  }
}
