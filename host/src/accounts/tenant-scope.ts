import type { SessionUser } from '../db/repos/sessions.js';
import type { TenantsRepo } from '../db/repos/tenants.js';

/** A provider admin names the tenant to act in with this header (API clients) ... */
export const TENANT_HEADER = 'x-deskrec-tenant';
/** ... or with this cookie (the portal's tenant switcher); both carry the tenant's slug. */
export const TENANT_COOKIE = 'deskrec_tenant';

export type ScopeRefusal = { status: 403 | 404; code: string; message: string };

/**
 * The session as it acts: a provider admin inside the tenant it asked for, everyone else inside their own.
 * A suspended tenant's own users are refused here, so sign-in sessions, API calls and pages all stop; the
 * provider keeps access to inspect and resume it. A cookie naming a tenant that is gone falls back to the
 * provider's own tenant (the switcher remembered it), a header naming one is refused.
 */
export async function scopeSession(
  tenants: Pick<TenantsRepo, 'bySlug'>,
  session: SessionUser,
  requested: { header?: string | undefined; cookie?: string | undefined },
): Promise<SessionUser | ScopeRefusal> {
  if (session.role !== 'provider-admin' && session.tenantState !== 'active') {
    return {
      status: 403,
      code: 'tenant-suspended',
      message: 'This tenant is suspended by its service provider; ask the provider to resume it',
    };
  }
  const slug = requested.header ?? (session.role === 'provider-admin' ? requested.cookie : undefined);
  if (!slug) return session;
  const tenant = await tenants.bySlug(slug);
  if (tenant?.id === session.homeTenantId) return session;
  if (session.role !== 'provider-admin') {
    return {
      status: 403,
      code: 'forbidden',
      message: `${TENANT_HEADER}: only a provider admin may act in another tenant`,
    };
  }
  if (!tenant || tenant.state === 'deleting' || tenant.state === 'archived') {
    if (requested.header === undefined) return session;
    return { status: 404, code: 'not-found', message: `${TENANT_HEADER}: no tenant "${slug}"` };
  }
  return { ...session, tenantId: tenant.id, tenantState: tenant.state, actingSlug: tenant.slug };
}

export const isRefusal = (scoped: SessionUser | ScopeRefusal): scoped is ScopeRefusal => 'status' in scoped;
