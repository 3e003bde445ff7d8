import { randomBytes } from 'node:crypto';
import { type Clock, ScreenRecordingSettingsSchema } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { createRepositories } from '../db/repositories.js';
import type { Database } from '../db/schema.js';

export const DEFAULT_TENANT_SLUG = 'default';
export const FIRST_ADMIN_USERNAME = 'admin';

/** What the first start creates; shown once, never stored in the clear. */
export interface FirstStartCredentials {
  username: string;
  password: string;
  tenantToken: string;
}

/**
 * Creates the default tenant, its first admin and its token when the database has none, in one
 * transaction (a crash half-way leaves nothing, so the next start tries again).
 */
export async function bootstrapDefaultTenant(
  db: Kysely<Database>,
  clock: Clock,
): Promise<FirstStartCredentials | undefined> {
  return db.transaction().execute(async (trx) => {
    const repos = createRepositories(trx, clock);
    if (await repos.tenants.bySlug(DEFAULT_TENANT_SLUG)) return undefined;
    const { tenant, token } = await repos.tenants.create({ slug: DEFAULT_TENANT_SLUG, name: 'Default' });
    const password = randomBytes(12).toString('base64url');
    // The installation's first admin manages tenants too (the provider admin).
    await repos.adminUsers.create(tenant.id, {
      username: FIRST_ADMIN_USERNAME,
      password,
      role: 'provider-admin',
    });
    await repos.settings.put(tenant.id, ScreenRecordingSettingsSchema.parse({}));
    return { username: FIRST_ADMIN_USERNAME, password, tenantToken: token };
  });
}
