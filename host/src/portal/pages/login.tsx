import { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { OIDC_FAILURE_MESSAGES } from '../../accounts/oidc/oidc-sign-in.js';
import { SESSION_COOKIE } from '../../api/session.js';
import { apiError, callApi } from '../api-call.js';
import type { PortalDeps } from '../deps.js';
import { readForm } from '../form.js';
import { BarePage } from '../layout.js';
import { type PortalEnv, sessionOf } from '../session.js';
import { isChallenge, SecondFactorForm, secondFactorStep } from './login-second-factor.js';
import { SsoButton, SsoOnlyLogin } from './login-sso.js';

/** Only same-site paths: "next" must not send people elsewhere after signing in. */
function safeNext(next: string | undefined): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/calls';
}

function LoginForm(props: {
  next: string;
  username?: string | undefined;
  tenant?: string | undefined;
  error?: string | undefined;
  sso?: PortalDeps['sso'];
}) {
  return (
    <BarePage title="Sign in">
      <div class="login-wrap">
        <main class="login">
          <span class="brand">
            <span class="brand-mark" aria-hidden="true">
              ▶
            </span>
            deskrec
          </span>
          <h1>Sign in</h1>
          {props.error ? (
            <div class="notice error" role="alert">
              {props.error}
            </div>
          ) : null}
          <SsoButton sso={props.sso} next={props.next} />
          <form method="post" action="/login">
            <input type="hidden" name="next" value={props.next} />
            <div class="field">
              <label for="username">Username</label>
              <input
                id="username"
                name="username"
                type="text"
                autocomplete="username"
                required
                autofocus
                value={props.username ?? ''}
              />
            </div>
            <div class="field">
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required />
            </div>
            <details class="field" open={props.tenant && props.tenant !== 'default' ? true : undefined}>
              <summary>Other tenant</summary>
              <label for="tenant">Tenant</label>
              <input id="tenant" name="tenant" type="text" value={props.tenant ?? 'default'} />
              <p class="help">Leave as “default” unless your provider gave you a tenant name.</p>
            </details>
            <button class="btn primary" type="submit">
              Sign in
            </button>
          </form>
        </main>
      </div>
    </BarePage>
  );
}

export function loginRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();

  app.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (await sessionOf(c, deps.repos, deps.clock)) return c.redirect(next, 303);
    const failure = OIDC_FAILURE_MESSAGES[c.req.query('sso') ?? ''];
    if (failure) c.status(401);
    if (deps.sso && !deps.sso.passwordSignIn) {
      return c.html(<SsoOnlyLogin sso={deps.sso} next={next} error={failure} />);
    }
    return c.html(<LoginForm next={next} tenant={c.req.query('tenant')} error={failure} sso={deps.sso} />);
  });

  app.post('/login', async (c) => {
    const form = await readForm(c);
    if (form.has('challenge')) return secondFactorStep(c, deps, form, safeNext(form.get('next')));
    const username = form.get('username')?.trim() ?? '';
    const tenant = form.get('tenant')?.trim() || 'default';
    const next = safeNext(form.get('next'));
    const result = await callApi(c, deps, 'POST', '/auth/login', {
      username,
      password: form.get('password') ?? '',
      tenant,
    });
    const error = apiError(result);
    if (error) {
      c.status(error.code === 'bad-credentials' ? 401 : 400);
      const text =
        error.code === 'bad-credentials' ? 'Wrong username or password.' : 'Enter a username and a password.';
      return c.html(
        <LoginForm next={next} username={username} tenant={tenant} error={text} sso={deps.sso} />,
      );
    }
    if (isChallenge(result.body))
      return c.html(<SecondFactorForm next={next} challenge={result.body.secondFactor.challenge} />);
    for (const cookie of result.headers.getSetCookie()) c.header('set-cookie', cookie, { append: true });
    return c.redirect(next, 303);
  });

  app.post('/logout', async (c) => {
    if (await sessionOf(c, deps.repos, deps.clock)) await callApi(c, deps, 'POST', '/auth/logout');
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });
  return app;
}
