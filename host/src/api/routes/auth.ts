import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { deleteCookie } from 'hono/cookie';
import { passwordProblem } from '../../accounts/password-policy.js';
import { SignInGuard } from '../../accounts/sign-in-guard.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { ApiError } from '../errors.js';
import { clientIp, requireSession, SESSION_COOKIE } from '../session.js';
import {
  SecondFactorChallengeSchema,
  secondFactorChallenge,
  startSignedInSession,
} from '../sign-in-session.js';
import { commonErrors, jsonBody, jsonOk, security } from './common.js';

const LoginBodySchema = z
  .strictObject({
    username: z.string().min(1).max(128),
    password: z.string().min(1).max(1024),
    tenant: z
      .string()
      .min(1)
      .max(64)
      .default('default')
      .describe('Tenant slug; "default" on a single-tenant host'),
    bearer: z.boolean().default(false).describe('Also return the session token for an Authorization header'),
  })
  .openapi('LoginRequest');

const MeSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: z.enum(['admin', 'supervisor', 'provider-admin']),
    tenantId: z.string().describe('The tenant acted in (a provider admin may switch)'),
    homeTenantId: z.string().describe('The tenant the account belongs to'),
    expiresAt: z.string(),
  })
  .openapi('Me');

const PasswordChangeSchema = z
  .strictObject({
    currentPassword: z.string().min(1).max(1024),
    newPassword: z.string().min(1).max(1024),
  })
  .openapi('PasswordChange');

const LoginResponseSchema = z.union([
  z.object({ user: MeSchema, token: z.string().optional() }),
  SecondFactorChallengeSchema,
]);

export function authRoutes(deps: ApiDeps, guard = new SignInGuard()) {
  const app = new OpenAPIHono<ApiEnv>();
  const log = deps.logger.child({ component: 'sign-in' });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/login',
      tags: ['auth'],
      summary: 'Sign in; sets an HttpOnly session cookie',
      request: { body: jsonBody(LoginBodySchema) },
      responses: {
        200: jsonOk(LoginResponseSchema, 'Signed in, or the second factor is asked for'),
        400: commonErrors[400],
        401: commonErrors[401],
        429: { description: 'Locked after too many failed sign-ins (Retry-After says for how long)' },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (deps.oidc?.config.passwordSignIn === false) {
        throw new ApiError(403, 'password-sign-in-off', `Sign in with ${deps.oidc.config.name}`);
      }
      const ip = clientIp(c);
      const account = `${body.tenant}\u0000${body.username.toLowerCase()}`;
      const where = { username: body.username, tenant: body.tenant, ip };
      const verdict = await guard.check(account, ip);
      if (!verdict.allowed) {
        log.warn(
          { ...where, retryAfterSeconds: verdict.retryAfterSeconds },
          `sign-in refused: ${verdict.reason} locked`,
        );
        c.header('retry-after', String(verdict.retryAfterSeconds));
        throw new ApiError(
          429,
          'locked',
          verdict.reason === 'account'
            ? `Too many failed sign-ins for this account; try again in ${verdict.retryAfterSeconds} s`
            : `Too many failed sign-ins from this address; try again in ${verdict.retryAfterSeconds} s`,
        );
      }
      const tenant = await deps.repos.tenants.bySlug(body.tenant);
      const user = await deps.repos.adminUsers.verify(tenant?.id ?? '', body.username, body.password);
      if (!tenant || !user) {
        const { failures, lockedForSeconds } = await guard.failed(account, ip);
        log.warn({ ...where, failures, lockedForSeconds }, 'sign-in failed');
        if (tenant) {
          const known = await deps.repos.adminUsers.byUsername(tenant.id, body.username);
          await deps.repos.audit.record(tenant.id, {
            actorUserId: null,
            action: 'auth.login-failed',
            targetType: 'admin-user',
            targetId: known?.id ?? null,
            detail: { username: body.username, failures, ...(lockedForSeconds ? { lockedForSeconds } : {}) },
            ip,
          });
        }
        throw new ApiError(401, 'bad-credentials', 'Wrong username or password');
      }
      if (await deps.repos.secondFactor.enabled(tenant.id, user.id)) {
        // The failures so far stand until the code is right too.
        log.info(where, 'sign-in: password right, waiting for the second factor');
        return c.json(
          await secondFactorChallenge(c, deps, { userId: user.id, tenantId: tenant.id, ip }),
          200,
        );
      }
      await guard.succeeded(account);
      if (tenant.state !== 'active' && user.role !== 'provider-admin') {
        log.warn({ ...where, state: tenant.state }, 'sign-in refused: tenant not active');
        await deps.repos.audit.record(tenant.id, {
          actorUserId: user.id,
          action: 'auth.login-refused',
          targetType: 'admin-user',
          targetId: user.id,
          detail: { tenantState: tenant.state },
          ip,
        });
        throw new ApiError(
          403,
          'tenant-suspended',
          'This tenant is suspended by its service provider; sign-ins are refused until it is resumed',
        );
      }
      log.info(where, 'sign-in');
      return c.json(
        await startSignedInSession(c, deps, { user, tenantId: tenant.id, ip, bearer: body.bearer }),
        200,
      );
    },
  );

  app.use('/auth/logout', requireSession(deps));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/logout',
      tags: ['auth'],
      summary: 'Ends the current session',
      security,
      responses: { 204: { description: 'Signed out' }, 401: commonErrors[401] },
    }),
    async (c) => {
      const session = c.get('session');
      await deps.repos.sessions.delete(session.homeTenantId, session.sessionId);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );

  app.use('/auth/password', requireSession(deps));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/password',
      tags: ['auth'],
      summary: "Changes the signed-in user's password; ends the user's other sessions",
      security,
      request: { body: jsonBody(PasswordChangeSchema) },
      responses: { 204: { description: 'Changed' }, ...commonErrors },
    }),
    async (c) => {
      // The account's own tenant, whichever tenant a provider admin is acting in.
      const acting = c.get('session');
      const s = { ...acting, tenantId: acting.homeTenantId };
      const { currentPassword, newPassword } = c.req.valid('json');
      const tenant = await deps.repos.tenants.get(s.tenantId);
      const user = await deps.repos.adminUsers.verify(s.tenantId, s.username, currentPassword);
      if (!user) {
        throw new ApiError(403, 'bad-credentials', 'The current password is wrong', 'currentPassword');
      }
      if (newPassword === currentPassword) {
        throw new ApiError(
          400,
          'invalid',
          'newPassword: choose a password other than the current one',
          'newPassword',
        );
      }
      const problem = await passwordProblem(newPassword, [
        s.username,
        tenant?.slug ?? '',
        tenant?.name ?? '',
      ]);
      if (problem) throw new ApiError(400, 'invalid', `newPassword: ${problem}`, 'newPassword');
      await deps.repos.adminUsers.setPassword(s.tenantId, s.userId, newPassword);
      const ended = await deps.repos.sessions.deleteForUser(s.tenantId, s.userId, s.sessionId);
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'auth.password-change',
        targetType: 'admin-user',
        targetId: s.userId,
        detail: { otherSessionsEnded: ended },
        ip: c.get('ip'),
      });
      return c.body(null, 204);
    },
  );

  app.use('/auth/me', requireSession(deps));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/auth/me',
      tags: ['auth'],
      summary: 'The signed-in user',
      security,
      responses: { 200: jsonOk(MeSchema, 'The user'), 401: commonErrors[401] },
    }),
    (c) => {
      const s = c.get('session');
      return c.json(
        {
          id: s.userId,
          username: s.username,
          role: s.role,
          tenantId: s.tenantId,
          homeTenantId: s.homeTenantId,
          expiresAt: s.expiresAt.toISOString(),
        },
        200,
      );
    },
  );
  return app;
}
