import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { z } from 'zod';
import { userForIdentity } from '../../accounts/oidc/oidc-accounts.js';
import { OidcRefusal, type OidcTransaction } from '../../accounts/oidc/oidc-client.js';
import type { OidcSignIn } from '../../accounts/oidc/oidc-sign-in.js';
import type { ApiDeps, ApiEnv } from '../deps.js';
import { ApiError } from '../errors.js';
import { clientIp, SESSION_COOKIE } from '../session.js';

const TRANSACTION_COOKIE = 'deskrec_oidc';
const TRANSACTION_PATH = '/api/auth/oidc';
const TRANSACTION_SECONDS = 600;

const TransactionSchema = z.strictObject({
  state: z.string().min(16).max(256),
  nonce: z.string().min(16).max(256),
  verifier: z.string().min(43).max(128),
  next: z.string().max(2048),
  redirect: z.url({ protocol: /^https?$/ }).max(2048),
});

/**
 * Only same-site paths: "next" must not send people elsewhere after signing in. Printable ASCII without
 * backslashes: browsers drop tabs and read a backslash as "/", either of which can make "//host".
 */
function samePath(next: string | undefined): string {
  return next && /^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/.test(next) ? next : '/calls';
}

function readTransaction(c: Context): OidcTransaction | undefined {
  const raw = getCookie(c, TRANSACTION_COOKIE);
  if (!raw) return undefined;
  try {
    const parsed = TransactionSchema.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
    return parsed.success ? { ...parsed.data, next: samePath(parsed.data.next) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Admin sign-in through an OpenID Connect provider: /start sends the browser to the provider, /callback
 * checks the answer and starts a deskrec session exactly as password sign-in does.
 */
export function oidcRoutes(deps: ApiDeps) {
  const app = new OpenAPIHono<ApiEnv>();
  const log = deps.logger.child({ component: 'sign-in' });
  const enabled = (): OidcSignIn => {
    if (!deps.oidc) throw new ApiError(404, 'not-found', 'Single sign-on is not configured');
    return deps.oidc;
  };

  app.get('/auth/oidc/start', async (c) => {
    const oidc = enabled();
    try {
      const { url, transaction } = await oidc.client.start(
        samePath(c.req.query('next')),
        new URL(c.req.url).origin,
      );
      // Lax, not Strict: the provider's redirect back is a cross-site navigation that must carry it.
      setCookie(c, TRANSACTION_COOKIE, Buffer.from(JSON.stringify(transaction)).toString('base64url'), {
        httpOnly: true,
        sameSite: 'Lax',
        secure: deps.secureCookies,
        path: TRANSACTION_PATH,
        maxAge: TRANSACTION_SECONDS,
      });
      return c.redirect(url.href, 302);
    } catch (error) {
      if (!(error instanceof OidcRefusal)) throw error;
      log.error({ issuer: oidc.client.issuer, detail: error.detail }, 'single sign-on unavailable');
      return c.redirect(`/login?sso=${error.reason}`, 303);
    }
  });

  app.get('/auth/oidc/callback', async (c) => {
    const oidc = enabled();
    const ip = clientIp(c);
    const transaction = readTransaction(c);
    deleteCookie(c, TRANSACTION_COOKIE, { path: TRANSACTION_PATH });
    const tenant = await deps.repos.tenants.bySlug(oidc.config.tenant);

    const refuse = async (reason: string, detail: Record<string, unknown> = {}, userId?: string) => {
      log.warn(
        { method: 'oidc', issuer: oidc.client.issuer, tenant: oidc.config.tenant, ip, reason, ...detail },
        'sign-in failed',
      );
      if (tenant) {
        await deps.repos.audit.record(tenant.id, {
          actorUserId: null,
          action: 'auth.login-failed',
          targetType: 'admin-user',
          targetId: userId ?? null,
          detail: { method: 'oidc', reason, ...detail },
          ip,
        });
      }
      return c.redirect(`/login?sso=${reason}`, 303);
    };

    if (!tenant) return refuse('no-tenant');
    if (!transaction) return refuse('expired');
    let claims: Awaited<ReturnType<typeof oidc.client.finish>>;
    try {
      claims = await oidc.client.finish(new URL(c.req.url), transaction);
    } catch (error) {
      if (!(error instanceof OidcRefusal)) throw error;
      return refuse(error.reason, error.detail ? { error: error.detail } : {});
    }
    const who = {
      subject: claims.sub,
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
    };
    const outcome = await userForIdentity(deps.repos, oidc.config, tenant.id, claims);
    if (!outcome.ok) return refuse(outcome.reason, who, outcome.userId);
    const { user } = outcome;

    log.info(
      { method: 'oidc', username: user.username, tenant: oidc.config.tenant, ip, created: outcome.created },
      'sign-in',
    );
    const session = await deps.repos.sessions.create({
      userId: user.id,
      tenantId: tenant.id,
      ttlMs: deps.sessionTtlMs,
      ip,
      now: deps.clock.now(),
    });
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: 'Strict',
      secure: deps.secureCookies,
      path: '/',
      expires: session.expiresAt,
    });
    if (outcome.created) {
      await deps.repos.audit.record(tenant.id, {
        actorUserId: user.id,
        action: 'admin-user.create',
        targetType: 'admin-user',
        targetId: user.id,
        detail: { username: user.username, role: user.role, method: 'oidc' },
        ip,
      });
    }
    await deps.repos.audit.record(tenant.id, {
      actorUserId: user.id,
      action: 'auth.login',
      targetType: 'admin-user',
      targetId: user.id,
      detail: { method: 'oidc', ...who, role: user.role, ...(outcome.linked ? { linked: true } : {}) },
      ip,
    });
    // A page, not a redirect: a SameSite=Strict cookie set during a cross-site redirect chain is not sent
    // on its next hop, but is on a navigation this page starts.
    return c.html(
      html`<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${transaction.next}"><title>Signed in</title></head><body><p>Signed in. <a href="${transaction.next}">Continue</a></p></body></html>`,
    );
  });
  return app;
}
