import type { Clock } from '@deskrec/core';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../api/session.js';
import type { SessionUser } from '../db/repos/sessions.js';
import type { Repositories } from '../db/repositories.js';

export type PortalEnv = { Variables: { session: SessionUser } };

/** The live session carried by the API's session cookie, or undefined. */
export async function sessionOf(
  c: Context,
  repos: Pick<Repositories, 'sessions'>,
  clock: Clock,
): Promise<SessionUser | undefined> {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token || !/^[A-Za-z0-9_-]{16,256}$/.test(token)) return undefined;
  return repos.sessions.find(token, clock.now());
}
