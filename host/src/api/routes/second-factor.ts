import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { checkSecondFactor } from '../../accounts/second-factor.js';
import type { SignInGuard } from '../../accounts/sign-in-guard.js';
import {
  enrolmentLink,
  matchingStep,
  newRecoveryCodes,
  newTotpSecret,
  recoveryCodeDigest,
} from '../../accounts/totp.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { ApiError } from '../errors.js';
import { clientIp } from '../session.js';
import { SignedInSchema, startSignedInSession } from '../sign-in-session.js';
import { commonErrors, conflictResponse, jsonBody, jsonOk, security } from './common.js';

const CodeSchema = z
  .string()
  .trim()
  .min(6, 'expected the 6-digit code of the authenticator app or a recovery code')
  .max(64, 'expected the 6-digit code of the authenticator app or a recovery code');

const SecondFactorLoginSchema = z
  .strictObject({
    challenge: z.string().regex(/^[0-9a-f]{64}$/, 'expected the challenge of the sign-in answer'),
    code: CodeSchema,
    bearer: z.boolean().default(false).describe('Also return the session token for an Authorization header'),
  })
  .openapi('SecondFactorLogin');

const StatusSchema = z
  .object({ enabled: z.boolean(), enrolling: z.boolean(), recoveryCodesLeft: z.number().int() })
  .openapi('SecondFactorStatus');

const EnrolmentSchema = z
  .object({
    secret: z
      .string()
      .describe('Base32, shown this once: type it into the app if the QR code cannot be scanned'),
    uri: z.string().describe('otpauth:// URI'),
    qrCode: z.string().describe('The URI as a QR code: an SVG data URL'),
  })
  .openapi('SecondFactorEnrolment');

/** The sign-in guard's key of an account: the same as the password step's. */
function accountKey(tenantSlug: string, username: string): string {
  return `${tenantSlug}\u0000${username.toLowerCase()}`;
}

/**
 * The optional TOTP second factor of admins: enrolment (secret and QR code, confirmed by a first code,
 * then ten recovery codes shown once), the sign-in step after the password, and switching it off with a
 * code. Wrong codes count toward the sign-in lock of the account, as wrong passwords do.
 */
export function secondFactorRoutes(deps: ApiDeps, guard: SignInGuard) {
  const app = new OpenAPIHono<ApiEnv>();
  const log = deps.logger.child({ component: 'sign-in' });

  /** Refuses while the account is locked; counts a wrong code (log, audit) and throws 401/403. */
  async function guarded<T>(
    c: Context,
    who: { tenantId: string; userId: string; username: string },
    status: 401 | 403,
    check: () => Promise<T | undefined>,
  ): Promise<T> {
    const ip = clientIp(c);
    const tenant = await deps.repos.tenants.get(who.tenantId);
    const account = accountKey(tenant?.slug ?? who.tenantId, who.username);
    const where = { username: who.username, tenant: tenant?.slug, ip };
    const verdict = await guard.check(account, ip);
    if (!verdict.allowed) {
      log.warn(
        { ...where, retryAfterSeconds: verdict.retryAfterSeconds },
        `second factor refused: ${verdict.reason} locked`,
      );
      c.header('retry-after', String(verdict.retryAfterSeconds));
      throw new ApiError(
        429,
        'locked',
        `Too many wrong codes or passwords; try again in ${verdict.retryAfterSeconds} s`,
      );
    }
    const result = await check();
    if (result !== undefined) {
      await guard.succeeded(account);
      return result;
    }
    const { failures, lockedForSeconds } = await guard.failed(account, ip);
    log.warn({ ...where, failures, lockedForSeconds }, 'second factor failed: wrong or used code');
    await deps.repos.audit.record(who.tenantId, {
      actorUserId: status === 403 ? who.userId : null,
      action: 'auth.second-factor-failed',
      targetType: 'admin-user',
      targetId: who.userId,
      detail: { username: who.username, failures, ...(lockedForSeconds ? { lockedForSeconds } : {}) },
      ip,
    });
    throw new ApiError(status, 'bad-code', 'The code is wrong, expired or used already', 'code');
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/login/second-factor',
      tags: ['auth'],
      summary: 'Second sign-in step: the challenge of the password step and a TOTP or recovery code',
      request: { body: jsonBody(SecondFactorLoginSchema) },
      responses: {
        200: jsonOk(SignedInSchema, 'Signed in (the same answer as a sign-in without a second factor)'),
        400: commonErrors[400],
        401: commonErrors[401],
        429: { description: 'Locked after too many failures (Retry-After says for how long)' },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const pending = await deps.repos.sessions.findPending(body.challenge, deps.clock.now());
      if (!pending)
        throw new ApiError(
          401,
          'challenge-expired',
          'The sign-in expired or is unknown; sign in with the password again',
        );
      const used = await guarded(c, pending, 401, () =>
        checkSecondFactor(
          deps.repos.secondFactor,
          pending.tenantId,
          pending.userId,
          body.code,
          deps.clock.now(),
        ),
      );
      await deps.repos.sessions.deletePending(body.challenge);
      log.info({ username: pending.username, ip: clientIp(c), secondFactor: used }, 'sign-in');
      const answer = await startSignedInSession(c, deps, {
        user: { id: pending.userId, username: pending.username, role: pending.role },
        tenantId: pending.tenantId,
        ip: clientIp(c),
        bearer: body.bearer,
        secondFactor: used,
      });
      return c.json(answer, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/auth/second-factor',
      tags: ['auth'],
      summary: "The signed-in admin's second factor",
      security,
      responses: { 200: jsonOk(StatusSchema, 'Status'), ...commonErrors },
    }),
    async (c) => {
      const s = c.get('session');
      const record = await deps.repos.secondFactor.get(s.tenantId, s.userId);
      return c.json(
        {
          enabled: !!record?.confirmedAt,
          enrolling: !!record && !record.confirmedAt,
          recoveryCodesLeft: await deps.repos.secondFactor.recoveryCodesLeft(s.tenantId, s.userId),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/second-factor/enrol',
      tags: ['auth'],
      summary: 'Starts enrolling an authenticator app: a new secret and its QR code, shown once',
      security,
      request: {
        body: jsonBody(z.strictObject({ password: z.string().min(1).max(1024) }).openapi('Reauthenticate')),
      },
      responses: { 200: jsonOk(EnrolmentSchema, 'Enrolment started'), ...commonErrors, ...conflictResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const { password } = c.req.valid('json');
      if (!(await deps.repos.adminUsers.verify(s.tenantId, s.username, password)))
        throw new ApiError(403, 'bad-credentials', 'password: the password is wrong', 'password');
      if (await deps.repos.secondFactor.enabled(s.tenantId, s.userId))
        throw new ApiError(
          409,
          'conflict',
          'A second factor is on already; switch it off first to enrol another app',
        );
      const secret = newTotpSecret();
      await deps.repos.secondFactor.startEnrolment(s.tenantId, s.userId, secret, deps.clock.now());
      const tenant = await deps.repos.tenants.get(s.tenantId);
      const account = tenant && tenant.slug !== 'default' ? `${s.username}@${tenant.slug}` : s.username;
      return c.json({ secret, ...(await enrolmentLink(secret, account, 'deskrec')) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/second-factor/confirm',
      tags: ['auth'],
      summary: 'Confirms the enrolment with a first code; answers the recovery codes, shown once',
      security,
      request: { body: jsonBody(z.strictObject({ code: CodeSchema }).openapi('SecondFactorCode')) },
      responses: {
        200: jsonOk(z.object({ recoveryCodes: z.array(z.string()) }), 'On; keep the recovery codes'),
        ...commonErrors,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const s = c.get('session');
      const { code } = c.req.valid('json');
      const record = await deps.repos.secondFactor.get(s.tenantId, s.userId);
      if (!record || record.confirmedAt)
        throw new ApiError(409, 'conflict', 'No enrolment is waiting for its first code; start one first');
      const step = matchingStep(record.secret, code, deps.clock.now());
      if (step === undefined || !(await deps.repos.secondFactor.acceptStep(s.tenantId, s.userId, step)))
        throw new ApiError(400, 'invalid', 'code: not the current code of the app (check its clock)', 'code');
      const recoveryCodes = newRecoveryCodes();
      await deps.repos.secondFactor.confirm(
        s.tenantId,
        s.userId,
        recoveryCodes.map(recoveryCodeDigest),
        deps.clock.now(),
      );
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'auth.second-factor-enabled',
        targetType: 'admin-user',
        targetId: s.userId,
        ip: c.get('ip'),
      });
      log.info({ username: s.username }, 'second factor switched on');
      return c.json({ recoveryCodes }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/auth/second-factor/disable',
      tags: ['auth'],
      summary: 'Switches the second factor off, with a current code or a recovery code',
      security,
      request: { body: jsonBody(z.strictObject({ code: CodeSchema }).openapi('SecondFactorCode')) },
      responses: { 204: { description: 'Off' }, ...commonErrors, ...conflictResponse },
    }),
    async (c) => {
      const s = c.get('session');
      const { code } = c.req.valid('json');
      if (!(await deps.repos.secondFactor.enabled(s.tenantId, s.userId)))
        throw new ApiError(409, 'conflict', 'No second factor is on');
      await guarded(c, s, 403, () =>
        checkSecondFactor(deps.repos.secondFactor, s.tenantId, s.userId, code, deps.clock.now()),
      );
      await deps.repos.secondFactor.remove(s.tenantId, s.userId);
      await deps.repos.audit.record(s.tenantId, {
        actorUserId: s.userId,
        action: 'auth.second-factor-disabled',
        targetType: 'admin-user',
        targetId: s.userId,
        ip: c.get('ip'),
      });
      log.info({ username: s.username }, 'second factor switched off');
      return c.body(null, 204);
    },
  );
  return app;
}
