import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Tenant } from '../schema.js';
import { newToken, sha256Hex, tokenHint } from '../secrets.js';

export type TenantView = Omit<Tenant, 'screen_recording_token_hash'>;

const columns = ['id', 'slug', 'name', 'token_hint', 'created_at'] as const;

export class TenantsRepo {
  constructor(private readonly db: Kysely<Database>) {}

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
        created_at: new Date(),
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    return { tenant, token };
  }

  get(tenantId: string): Promise<TenantView | undefined> {
    return this.db.selectFrom('tenants').select(columns).where('id', '=', tenantId).executeTakeFirst();
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

  /** The tenant and stored hash for a token's hash (the caller compares in constant time). */
  byTokenHash(hash: string): Promise<{ id: string; screen_recording_token_hash: string } | undefined> {
    return this.db
      .selectFrom('tenants')
      .select(['id', 'screen_recording_token_hash'])
      .where('screen_recording_token_hash', '=', hash)
      .executeTakeFirst();
  }
}
