import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { isRefusal, scopeSession, TENANT_COOKIE, TENANT_HEADER } from '../accounts/tenant-scope.js';
import type { ApiDeps, ApiEnv } from './deps.js';
import { ApiError } from './errors.js';

export const SESSION_COOKIE = 'deskrec_session';

/** The address of the caller, or null when the server cannot tell (never trusted for authorization). */
export function clientIp(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null;
  }
}

function presentedToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+([A-Za-z0-9_-]{16,256})$/.exec(header);
    return match?.[1];
  }
  return getCookie(c, SESSION_COOKIE);
}

/** Requires a live session (cookie or bearer token); answers 401 otherwise. */
export function requireSession(deps: {
  repos: Pick<ApiDeps['repos'], 'sessions' | 'tenants'>;
  clock: ApiDeps['clock'];
}): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.set('ip', clientIp(c));
    const token = presentedToken(c);
    const session = token ? await deps.repos.sessions.find(token, deps.clock.now()) : undefined;
    if (!session)
      throw new ApiError(401, 'unauthenticated', 'Sign in first (the session is missing or expired)');
    const scoped = await scopeSession(deps.repos.tenants, session, {
      header: c.req.header(TENANT_HEADER),
      cookie: getCookie(c, TENANT_COOKIE),
    });
    if (isRefusal(scoped)) throw new ApiError(scoped.status, scoped.code, scoped.message);
    c.set('session', scoped);
    await next();
  };
}

/** Admin-only routes: a supervisor may use the calls pages only; a provider admin is an admin too. */
export const requireAdmin: MiddlewareHandler<ApiEnv> = async (c, next) => {
  const { role } = c.get('session');
  if (role !== 'admin' && role !== 'provider-admin') {
    throw new ApiError(403, 'forbidden', 'This needs the admin role; supervisors may only view calls');
  }
  await next();
};

/** Tenant management: the service provider's admins only. */
export const requireProviderAdmin: MiddlewareHandler<ApiEnv> = async (c, next) => {
  if (c.get('session').role !== 'provider-admin') {
    throw new ApiError(
      403,
      'forbidden',
      'This needs the provider-admin role; tenants are managed by the provider',
    );
  }
  await next();
};
