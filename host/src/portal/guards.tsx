import type { Context, MiddlewareHandler } from 'hono';
import type { PortalDeps } from './deps.js';
import { Page } from './layout.js';
import { type PortalEnv, sessionOf } from './session.js';

/** Pages need a session; without one, GET requests go to the sign-in page and come back afterwards. */
export function requirePageSession(deps: PortalDeps): MiddlewareHandler<PortalEnv> {
  return async (c, next) => {
    const session = await sessionOf(c, deps.repos, deps.clock);
    if (!session) {
      const back =
        c.req.method === 'GET' ? `?next=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}` : '';
      return c.redirect(`/login${back}`, 303);
    }
    c.set('session', session);
    await next();
  };
}

export function forbiddenPage(c: Context<PortalEnv>) {
  c.status(403);
  return c.html(
    <Page title="Not allowed" session={c.get('session')} crumbs={['Not allowed']}>
      <div class="panel" role="alert">
        <p>
          This page is for administrators. Your account has the <strong>{c.get('session').role}</strong> role,
          which may view and play calls only.
        </p>
        <p>
          <a class="btn primary" href="/calls">
            Go to calls
          </a>
        </p>
      </div>
    </Page>,
  );
}

/** Administration pages: a supervisor gets a 403 page that explains why. */
export const requirePageAdmin: MiddlewareHandler<PortalEnv> = async (c, next) => {
  const { role } = c.get('session');
  if (role !== 'admin' && role !== 'provider-admin') return forbiddenPage(c);
  await next();
};

/** Headers every portal page carries: no framing, no sniffing, scripts only from this origin. */
export const pageHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('x-frame-options', 'DENY');
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'same-origin');
  if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) {
    c.header('cache-control', 'no-store');
    c.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    );
  }
};

/** Tenant management pages: the service provider's admins only. */
export const requirePageProvider: MiddlewareHandler<PortalEnv> = async (c, next) => {
  if (c.get('session').role !== 'provider-admin') return forbiddenPage(c);
  await next();
};
