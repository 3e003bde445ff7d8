import { Hono } from 'hono';
import type { WorkstationView } from '../../db/repos/workstations.js';
import { Badge, LocalTime } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';

/** The first characters of a workstation id: enough to tell two machines of the same name apart in a list. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

const STATE: Record<WorkstationView['state'], { label: string; tone: 'ok' | 'warn' | 'bad' }> = {
  authorized: { label: 'Authorized', tone: 'ok' },
  pending: { label: 'Pending', tone: 'warn' },
  forbidden: { label: 'Forbidden', tone: 'bad' },
};

interface Monitor {
  id?: unknown;
  name?: unknown;
  width?: unknown;
  height?: unknown;
  x?: unknown;
  y?: unknown;
  primary?: unknown;
}

const SPOOL_KINDS: Record<string, string> = {
  'file-discarded': 'File discarded',
  'file-kept': 'File kept aside',
  'spool-unwritable': 'Spool not writable',
  'spool-full': 'Spool full',
  'spool-ok': 'Spool healthy again',
};

function monitorText(m: Monitor): string {
  const name = typeof m.name === 'string' && m.name ? ` ${m.name}` : '';
  return `${String(m.id)}${name}: ${String(m.width)}×${String(m.height)} at ${String(m.x)},${String(m.y)}${m.primary ? ' (primary)' : ''}`;
}

export function workstationDetailRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();

  app.get('/admin/workstations/:id', async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    const [w, more] = await Promise.all([
      deps.repos.workstations.get(session.tenantId, id),
      deps.repos.workstationDetails.get(session.tenantId, id),
    ]);
    const crumbs = ['Administration', 'Screen recording', 'Workstations'];
    if (!w || !more) {
      c.status(404);
      return c.html(
        <Page
          title="Workstation not found"
          session={session}
          nav="workstations"
          crumbs={[...crumbs, 'Not found']}
        >
          <div class="panel">
            <p>There is no such workstation. It may have been deleted; its agent enrolls again as pending.</p>
            <a class="btn" href="/admin/workstations">
              Back to workstations
            </a>
          </div>
        </Page>,
      );
    }
    const online = deps.hooks.channel ? deps.hooks.channel.isOnline(session.tenantId, w.id) : w.online;
    const name = (w.domain ? `${w.domain}\\` : '') + w.computerName;
    const state = STATE[w.state];
    return c.html(
      <Page title={`Workstation ${name}`} session={session} nav="workstations" crumbs={[...crumbs, name]}>
        <p>
          <a href="/admin/workstations">← All workstations</a>
        </p>
        <div class="grid2">
          <section class="panel" aria-labelledby="ws-id-h">
            <h2 class="section" id="ws-id-h">
              Identity
            </h2>
            <dl class="dl">
              <dt>Workstation id</dt>
              <dd class="mono" data-field="id">
                {w.id}
              </dd>
              <dt>Identity fingerprint</dt>
              <dd>
                <span class="mono" data-field="fingerprint">
                  {more.identityFingerprint ?? '—'}
                </span>
                <p class="help">
                  SHA-256 of the secret this agent enrolled with (first 64 bits). A reinstalled agent gets a
                  new one.
                </p>
              </dd>
              <dt>Authorization</dt>
              <dd>
                <Badge tone={state.tone}>{state.label}</Badge>
              </dd>
              <dt>Computer name</dt>
              <dd>{w.computerName}</dd>
              <dt>Domain</dt>
              <dd>{w.domain ?? '—'}</dd>
              <dt>Operating system</dt>
              <dd>{w.os ? `${w.os.platform} ${w.os.release}` : '—'}</dd>
              <dt>Agent version</dt>
              <dd data-field="agent-version">{w.agentVersion ?? '—'}</dd>
              <dt>Capture backend</dt>
              {w.captureBackend ? (
                <dd data-field="capture-backend">{w.captureBackend}</dd>
              ) : (
                <dd class="muted" data-field="capture-backend">
                  Not reported by the agent
                </dd>
              )}
            </dl>
          </section>
          <section class="panel" aria-labelledby="ws-conn-h">
            <h2 class="section" id="ws-conn-h">
              Connection
            </h2>
            <dl class="dl">
              <dt>Status</dt>
              <dd>
                <span class={`dot${online ? ' on' : ''}`} aria-hidden="true" />{' '}
                {online ? 'Online' : 'Offline'}
              </dd>
              <dt>Signed-in user</dt>
              <dd>{w.login ?? (online ? 'No user signed in' : '—')}</dd>
              <dt>First seen</dt>
              <dd>
                <LocalTime at={w.firstSeen} />
              </dd>
              <dt>Last seen</dt>
              <dd data-field="last-seen">
                <LocalTime at={w.lastSeen} />
              </dd>
              <dt>IP addresses</dt>
              <dd>
                <ul class="plain" data-field="addresses">
                  {more.addresses.length ? (
                    more.addresses.map((a, i) => (
                      <li>
                        <span class="mono">{a.address}</span>{' '}
                        <span class="muted">
                          {i === 0 ? 'last connection, ' : ''}
                          {a.connections === 1 ? '1 connection' : `${a.connections} connections`},{' '}
                          <LocalTime at={a.firstSeen} />
                          {' – '}
                          <LocalTime at={a.lastSeen} />
                        </span>
                      </li>
                    ))
                  ) : (
                    <li>
                      <span class="mono">{w.remoteAddress ?? '—'}</span>{' '}
                      <span class="muted">last connection</span>
                    </li>
                  )}
                  {more.conflict ? (
                    <li class="error">
                      <span class="mono">{more.conflict.address ?? 'unknown address'}</span> presented this id
                      with a wrong secret
                      {more.conflict.at ? (
                        <>
                          {' '}
                          (<LocalTime at={more.conflict.at} />)
                        </>
                      ) : null}
                    </li>
                  ) : null}
                </ul>
                <p class="help">The latest 20 addresses, newest first.</p>
              </dd>
            </dl>
          </section>
          <section class="panel" aria-labelledby="ws-mon-h">
            <h2 class="section" id="ws-mon-h">
              Monitors
            </h2>
            {w.monitors.length ? (
              <ul class="plain" data-field="monitors">
                {(w.monitors as Monitor[]).map((m) => (
                  <li>{monitorText(m)}</li>
                ))}
              </ul>
            ) : (
              <p class="muted">The agent reported no monitors.</p>
            )}
          </section>
          <section class="panel" aria-labelledby="ws-err-h">
            <h2 class="section" id="ws-err-h">
              Last error
            </h2>
            {more.lastError ? (
              <p data-field="last-error">
                <LocalTime at={more.lastError.at} /> <span class="mono">{more.lastError.message}</span>
              </p>
            ) : (
              <p class="muted" data-field="last-error">
                No capture has failed on this workstation.
              </p>
            )}
            <p class="muted">{more.recordings} recordings made on this workstation.</p>
          </section>
          <section class="panel" aria-labelledby="ws-spool-h">
            <h2 class="section" id="ws-spool-h">
              Agent spool
            </h2>
            {more.spoolReports.length ? (
              <ul class="plain" data-field="spool-reports">
                {more.spoolReports.map((r) => (
                  <li class={r.kind === 'spool-ok' ? undefined : 'error'}>
                    <LocalTime at={r.at} /> <strong>{SPOOL_KINDS[r.kind] ?? r.kind}</strong>
                    {r.fileName ? <span class="mono"> {r.fileName}</span> : null}: {r.reason}
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted" data-field="spool-reports">
                The agent reported no spool problem: every file it recorded was uploaded or is queued.
              </p>
            )}
          </section>
        </div>
      </Page>,
    );
  });
  return app;
}
