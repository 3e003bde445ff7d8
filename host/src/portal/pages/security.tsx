import type { Context } from 'hono';
import { Hono } from 'hono';
import { sessionHandle } from '../../db/repos/sessions.js';
import { apiError, callApi } from '../api-call.js';
import { Badge, LocalTime } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { type Flash, setFlash, takeFlash } from '../flash.js';
import { readForm } from '../form.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';

interface SessionRow {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}
interface FactorStatus {
  enabled: boolean;
  enrolling: boolean;
  recoveryCodesLeft: number;
}
interface Enrolment {
  secret: string;
  qrCode: string;
}

function Sessions({ items }: { items: SessionRow[] }) {
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Your sessions</h2>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Your sessions</caption>
          <thead>
            <tr>
              <th scope="col">Browser</th>
              <th scope="col">Address</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((s) => (
              <tr id={`session-${s.id}`}>
                <td>
                  {s.userAgent ?? <span class="muted">unknown</span>}
                  {s.current ? (
                    <>
                      {' '}
                      <Badge tone="ok">this session</Badge>
                    </>
                  ) : null}
                </td>
                <td>{s.ip ?? <span class="muted">unknown</span>}</td>
                <td>
                  <LocalTime at={new Date(s.createdAt)} />
                </td>
                <td>
                  <LocalTime at={s.lastUsedAt ? new Date(s.lastUsedAt) : null} />
                </td>
                <td>
                  <form method="post" action={`/admin/security/sessions/${s.id}/revoke`}>
                    <button class="btn small" type="submit">
                      {s.current ? 'Sign out' : 'Revoke'}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {items.length > 1 ? (
        <form method="post" action="/admin/security/sessions/revoke-others">
          <button class="btn" type="submit">
            Sign out all other sessions
          </button>
        </form>
      ) : null}
    </section>
  );
}

function CodeField(props: { label: string; help: string }) {
  return (
    <div class="field">
      <label for="code">{props.label}</label>
      <input id="code" name="code" type="text" inputmode="text" autocomplete="one-time-code" required />
      <p class="help">{props.help}</p>
    </div>
  );
}

function SecondFactor(props: { status: FactorStatus; enrolment?: Enrolment | undefined }) {
  const { status, enrolment } = props;
  return (
    <section aria-labelledby="factor-title">
      <h2 id="factor-title">Second factor (authenticator app)</h2>
      {status.enabled ? (
        <>
          <p>
            <Badge tone="ok">On</Badge> Signing in asks for a code from your authenticator app.{' '}
            {status.recoveryCodesLeft} recovery codes left.
          </p>
          <form method="post" action="/admin/security/second-factor/disable">
            <CodeField label="Code" help="A current code of the app, or a recovery code, to switch it off." />
            <button class="btn danger" type="submit">
              Switch off
            </button>
          </form>
        </>
      ) : enrolment || status.enrolling ? (
        <>
          {enrolment ? (
            <>
              <p>Scan this code with your authenticator app, or type the key in. It is shown this once.</p>
              <img
                src={enrolment.qrCode}
                alt="QR code of the authenticator app key"
                width={200}
                height={200}
              />
              <p>
                Key: <code>{enrolment.secret}</code>
              </p>
            </>
          ) : (
            <p>An enrolment waits for its first code. Start again below if you lost the key.</p>
          )}
          <form method="post" action="/admin/security/second-factor/confirm">
            <CodeField label="Code from the app" help="The 6-digit code the app shows now." />
            <button class="btn primary" type="submit">
              Switch on
            </button>
          </form>
        </>
      ) : (
        <p>Off: the password alone signs you in.</p>
      )}
      {status.enabled || enrolment ? null : (
        <form method="post" action="/admin/security/second-factor/enrol">
          <div class="field">
            <label for="password">Your password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required />
          </div>
          <button class="btn" type="submit">
            {status.enrolling ? 'Start again' : 'Set up an authenticator app'}
          </button>
        </form>
      )}
    </section>
  );
}

function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <section aria-labelledby="codes-title">
      <h2 id="codes-title">Recovery codes</h2>
      <div class="notice ok" role="status">
        The second factor is on. Keep these codes somewhere safe: each signs you in once without the app. They
        are not shown again.
      </div>
      <ul class="recovery-codes">
        {codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a class="btn primary" href="/admin/security">
          Done
        </a>
      </p>
    </section>
  );
}

/** The signed-in admin's sessions (revoke one or all others) and second factor (enrol, switch off). */
export function securityRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();

  async function render(c: Context<PortalEnv>, extra: { flash?: Flash; enrolment?: Enrolment } = {}) {
    const [sessions, factor] = await Promise.all([
      callApi(c, deps, 'GET', '/auth/sessions'),
      callApi(c, deps, 'GET', '/auth/second-factor'),
    ]);
    return c.html(
      <Page title="Security" session={c.get('session')} nav="security" flash={extra.flash ?? takeFlash(c)}>
        <SecondFactor status={factor.body as FactorStatus} enrolment={extra.enrolment} />
        <Sessions items={(sessions.body as { items: SessionRow[] }).items} />
      </Page>,
    );
  }

  app.get('/admin/security', (c) => render(c));

  app.post('/admin/security/sessions/revoke-others', async (c) => {
    const result = await callApi(c, deps, 'POST', '/auth/sessions/revoke-others');
    const error = apiError(result);
    const revoked = (result.body as { revoked?: number })?.revoked ?? 0;
    setFlash(
      c,
      error
        ? { kind: 'error', text: error.message }
        : { kind: 'ok', text: `${revoked} other sessions signed out.` },
    );
    return c.redirect('/admin/security', 303);
  });

  app.post('/admin/security/sessions/:id/revoke', async (c) => {
    const id = c.req.param('id');
    const result = await callApi(c, deps, 'DELETE', `/auth/sessions/${encodeURIComponent(id)}`);
    const error = apiError(result);
    setFlash(c, error ? { kind: 'error', text: error.message } : { kind: 'ok', text: 'Session revoked.' });
    // The current session revoked is a sign-out: its cookie finds no session any more.
    const current = id === sessionHandle(c.get('session').sessionId);
    return c.redirect(!error && current ? '/login' : '/admin/security', 303);
  });

  app.post('/admin/security/second-factor/enrol', async (c) => {
    const form = await readForm(c);
    const result = await callApi(c, deps, 'POST', '/auth/second-factor/enrol', {
      password: form.get('password') ?? '',
    });
    const error = apiError(result);
    if (error) {
      c.status(400);
      return render(c, { flash: { kind: 'error', text: error.message } });
    }
    return render(c, { enrolment: result.body as Enrolment });
  });

  app.post('/admin/security/second-factor/confirm', async (c) => {
    const form = await readForm(c);
    const result = await callApi(c, deps, 'POST', '/auth/second-factor/confirm', {
      code: form.get('code') ?? '',
    });
    const error = apiError(result);
    if (error) {
      setFlash(c, { kind: 'error', text: error.message });
      return c.redirect('/admin/security', 303);
    }
    const { recoveryCodes } = result.body as { recoveryCodes: string[] };
    return c.html(
      <Page title="Security" session={c.get('session')} nav="security">
        <RecoveryCodes codes={recoveryCodes} />
      </Page>,
    );
  });

  app.post('/admin/security/second-factor/disable', async (c) => {
    const form = await readForm(c);
    const result = await callApi(c, deps, 'POST', '/auth/second-factor/disable', {
      code: form.get('code') ?? '',
    });
    const error = apiError(result);
    setFlash(
      c,
      error ? { kind: 'error', text: error.message } : { kind: 'ok', text: 'The second factor is off.' },
    );
    return c.redirect('/admin/security', 303);
  });
  return app;
}
