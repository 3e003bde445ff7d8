import type { Clock } from '@deskrec/core';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { isRefusal, scopeSession, TENANT_COOKIE } from '../accounts/tenant-scope.js';
import { SESSION_COOKIE } from '../api/session.js';
import type { SessionUser } from '../db/repos/sessions.js';
import type { Repositories } from '../db/repositories.js';

export type PortalEnv = { Variables: { session: SessionUser } };

/**
 * The live session carried by the API's session cookie, in the tenant the provider admin's switcher chose,
 * or undefined (also when the user's tenant is suspended: the sign-in page then says why).
 */
export async function sessionOf(
  c: Context,
  repos: Pick<Repositories, 'sessions' | 'tenants'>,
  clock: Clock,
): Promise<SessionUser | undefined> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token || !/^[A-Za-z0-9_-]{16,256}$/.test(token)) return undefined;
  const session = await repos.sessions.find(token, clock.now());
  if (!session) return undefined;
  const scoped = await scopeSession(repos.tenants, session, { cookie: getCookie(c, TENANT_COOKIE) });
  return isRefusal(scoped) ? undefined : scoped;
}
