import type { Context } from 'hono';
import { Hono } from 'hono';
import { apiError, callApi } from '../api-call.js';
import type { PortalDeps } from '../deps.js';
import { type Flash, takeFlash } from '../flash.js';
import { readForm } from '../form.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';

export const PASSWORD_PAGE = '/account/password';

function PasswordForm(props: { field?: string | undefined }) {
  const invalid = (name: string) => (props.field === name ? 'true' : undefined);
  return (
    <section class="panel" aria-labelledby="password-h">
      <h2 class="section" id="password-h">
        Change your password
      </h2>
      <p class="muted">
        At least 12 characters, hard to guess: common and breached passwords and ones built from your name are
        refused. Your other sessions are signed out.
      </p>
      <form method="post" action={PASSWORD_PAGE}>
        <div class="field">
          <label for="currentPassword">Current password</label>
          <input
            id="currentPassword"
            name="currentPassword"
            type="password"
            autocomplete="current-password"
            required
            aria-invalid={invalid('currentPassword')}
          />
        </div>
        <div class="field">
          <label for="newPassword">New password</label>
          <input
            id="newPassword"
            name="newPassword"
            type="password"
            autocomplete="new-password"
            minlength={12}
            required
            aria-invalid={invalid('newPassword')}
          />
        </div>
        <div class="field">
          <label for="repeatPassword">New password again</label>
          <input
            id="repeatPassword"
            name="repeatPassword"
            type="password"
            autocomplete="new-password"
            required
            aria-invalid={invalid('repeatPassword')}
          />
        </div>
        <button class="btn primary" type="submit">
          Change password
        </button>
      </form>
    </section>
  );
}

/** Any signed-in user (admin or supervisor) changes their own password through `POST /api/auth/password`. */
export function passwordRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();
  const render = (c: Context<PortalEnv>, flash?: Flash, field?: string) =>
    c.html(
      <Page title="Password" session={c.get('session')} nav="password" flash={flash ?? takeFlash(c)}>
        <PasswordForm field={field} />
      </Page>,
    );

  app.get(PASSWORD_PAGE, (c) => render(c));

  app.post(PASSWORD_PAGE, async (c) => {
    const form = await readForm(c);
    const currentPassword = form.get('currentPassword') ?? '';
    const newPassword = form.get('newPassword') ?? '';
    if (newPassword !== (form.get('repeatPassword') ?? '')) {
      c.status(400);
      return render(c, { kind: 'error', text: 'The two new passwords differ.' }, 'repeatPassword');
    }
    const result = await callApi(c, deps, 'POST', '/auth/password', { currentPassword, newPassword });
    const error = apiError(result);
    if (error) {
      c.status(result.status === 403 ? 403 : 400);
      return render(c, { kind: 'error', text: error.message }, error.field);
    }
    return render(c, { kind: 'ok', text: 'Password changed. Your other sessions were signed out.' });
  });
  return app;
}
