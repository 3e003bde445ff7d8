import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { AdminRole } from '../db/schema.js';
import type { ApiDeps } from './deps.js';
import { SESSION_COOKIE } from './session.js';

/** How long a sign-in whose password was right waits for its second factor. */
const SECOND_FACTOR_WAIT_MS = 5 * 60_000;

export const SecondFactorChallengeSchema = z
  .object({
    secondFactor: z.object({
      challenge: z.string().describe('Send it with the code to POST /api/auth/login/second-factor'),
      expiresAt: z.string(),
    }),
  })
  .openapi('SecondFactorChallenge');

export const SignedInSchema = z
  .object({
    user: z.object({
      id: z.string(),
      username: z.string(),
      role: z.enum(['admin', 'supervisor', 'provider-admin']),
      tenantId: z.string(),
      homeTenantId: z.string().describe('The tenant the account belongs to'),
      expiresAt: z.string(),
    }),
    token: z.string().optional(),
  })
  .openapi('SignedIn');

interface SignedIn {
  user: { id: string; username: string; role: AdminRole };
  tenantId: string;
  ip: string | null;
  bearer: boolean;
  /** Recorded in the audit row when a second factor was checked. */
  secondFactor?: string;
}

/** Starts the session of a finished sign-in: the cookie, the audit row and the sign-in answer. */
export async function startSignedInSession(c: Context, deps: ApiDeps, s: SignedIn) {
  const session = await deps.repos.sessions.create({
    userId: s.user.id,
    tenantId: s.tenantId,
    ttlMs: deps.sessionTtlMs,
    ip: s.ip,
    userAgent: c.req.header('user-agent'),
    now: deps.clock.now(),
  });
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: deps.secureCookies,
    path: '/',
    expires: session.expiresAt,
  });
  await deps.repos.audit.record(s.tenantId, {
    actorUserId: s.user.id,
    action: 'auth.login',
    targetType: 'admin-user',
    targetId: s.user.id,
    ...(s.secondFactor ? { detail: { secondFactor: s.secondFactor } } : {}),
    ip: s.ip,
  });
  return {
    user: {
      id: s.user.id,
      username: s.user.username,
      role: s.user.role,
      tenantId: s.tenantId,
      homeTenantId: s.tenantId,
      expiresAt: session.expiresAt.toISOString(),
    },
    ...(s.bearer ? { token: session.token } : {}),
  };
}

/** A right password of a user with a second factor: a short-lived challenge instead of a session. */
export async function secondFactorChallenge(
  c: Context,
  deps: ApiDeps,
  s: { userId: string; tenantId: string; ip: string | null },
): Promise<z.infer<typeof SecondFactorChallengeSchema>> {
  const pending = await deps.repos.sessions.create({
    userId: s.userId,
    tenantId: s.tenantId,
    ttlMs: SECOND_FACTOR_WAIT_MS,
    ip: s.ip,
    userAgent: c.req.header('user-agent'),
    now: deps.clock.now(),
    secondFactorPending: true,
  });
  return { secondFactor: { challenge: pending.token, expiresAt: pending.expiresAt.toISOString() } };
}
