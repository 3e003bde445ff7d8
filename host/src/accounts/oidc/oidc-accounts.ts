import type { AdminUserView } from '../../db/repos/admin-users.js';
import type { Repositories } from '../../db/repositories.js';
import type { AdminRole } from '../../db/schema.js';
import { isUniqueViolation, newToken } from '../../db/secrets.js';
import type { OidcConfig } from './oidc-config.js';

export type OidcUserOutcome =
  | { ok: true; user: AdminUserView; created: boolean; linked: boolean }
  | { ok: false; reason: 'no-role' | 'unknown-user' | 'disabled' | 'username-taken'; userId?: string };

/** The deskrec role the claims give, or undefined when they give none. */
export function roleFromClaims(config: OidcConfig, claims: Record<string, unknown>): AdminRole | undefined {
  const raw = claims[config.roleClaim];
  const values = new Set(
    (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string'),
  );
  if (config.roles.admin.some((v) => values.has(v))) return 'admin';
  if (config.roles.supervisor.some((v) => values.has(v))) return 'supervisor';
  return config.defaultRole;
}

function verifiedEmail(claims: Record<string, unknown>): string | undefined {
  return claims.email_verified === true && typeof claims.email === 'string' ? claims.email : undefined;
}

/**
 * The admin user of a provider identity: the linked one; else the unlinked user whose username is the
 * verified email (then linked); else, with `createUsers`, a new user. Never by a name alone, which anyone
 * can choose at some providers.
 */
export async function userForIdentity(
  repos: Repositories,
  config: OidcConfig,
  tenantId: string,
  claims: Record<string, unknown> & { iss: string; sub: string },
): Promise<OidcUserOutcome> {
  const role = roleFromClaims(config, claims);
  const linked = await repos.adminIdentities.userOf(tenantId, claims.iss, claims.sub);
  if (linked?.disabled) return { ok: false, reason: 'disabled', userId: linked.id };
  if (!role) return { ok: false, reason: 'no-role', ...(linked ? { userId: linked.id } : {}) };
  if (linked) {
    await repos.adminIdentities.signedIn(tenantId, claims.iss, claims.sub, linked.id, role);
    return { ok: true, user: { ...linked, role }, created: false, linked: false };
  }
  const email = verifiedEmail(claims);
  const matched = email
    ? await repos.adminIdentities.unlinkedByUsername(tenantId, claims.iss, email)
    : undefined;
  if (matched?.disabled) return { ok: false, reason: 'disabled', userId: matched.id };
  if (matched) {
    await repos.adminIdentities.link(tenantId, claims.iss, claims.sub, matched.id);
    await repos.adminIdentities.signedIn(tenantId, claims.iss, claims.sub, matched.id, role);
    return { ok: true, user: { ...matched, role }, created: false, linked: true };
  }
  if (!config.createUsers) return { ok: false, reason: 'unknown-user' };
  const name =
    email ?? (typeof claims.preferred_username === 'string' ? claims.preferred_username : claims.sub);
  try {
    // Nobody knows this password: the user signs in through the provider only.
    const user = await repos.adminUsers.create(tenantId, {
      username: name.slice(0, 128),
      password: newToken(32),
      role,
    });
    await repos.adminIdentities.link(tenantId, claims.iss, claims.sub, user.id);
    return { ok: true, user, created: true, linked: true };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, reason: 'username-taken' };
    throw error;
  }
}
