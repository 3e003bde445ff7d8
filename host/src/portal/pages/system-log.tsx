import { Hono } from 'hono';
import { z } from 'zod';
import { linesFor } from '../../logging/tenant-lines.js';
import { callApi } from '../api-call.js';
import { Badge, LocalTime } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const QuerySchema = z.object({
  level: z.enum(LEVELS).default('info').catch('info'),
  limit: z.coerce.number().int().min(10).max(2000).default(200).catch(200),
});
interface SourceView {
  id: string;
  shared: boolean;
  state: 'starting' | 'connected' | 'disconnected' | 'stopped';
  detail?: string;
  lastEventAt?: string;
  reconnects: number;
  connectedSince?: string;
  lastFailure?: { kind: string; detail: string; at: string };
  lastReconcile?: { at: string; trigger: string; live: number; ended: number; started: number };
  openCalls?: number;
  warnings: string[];
  runsHere: boolean;
  heldBy?: { id: string; name?: string };
}

const STATE_TONE = { connected: 'ok', starting: 'info', disconnected: 'bad', stopped: 'warn' } as const;

/** One row per call-event source: is it connected, when did it last hear from the PBX, what did reconciling fix. */
function CallSources({ sources }: { sources: SourceView[] }) {
  return (
    <section aria-labelledby="sources-title">
      <h2 id="sources-title">Call-event sources</h2>
      <div class="table-wrap">
        <table>
          <caption class="sr-only">Call-event sources</caption>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">State</th>
              <th scope="col">Last event</th>
              <th scope="col">Reconnects</th>
              <th scope="col">Last reconcile</th>
              <th scope="col">Open calls</th>
            </tr>
          </thead>
          <tbody>
            {sources.length === 0 ? (
              <tr>
                <td colspan={6} class="empty">
                  No call-event source is configured for this tenant (plugins.callEvents).
                </td>
              </tr>
            ) : (
              sources.map((s) => (
                <tr id={`source-${s.id}`}>
                  <td>
                    {s.id}
                    {s.shared ? <span class="muted"> (shared)</span> : null}
                  </td>
                  <td>
                    {s.runsHere ? (
                      <Badge tone={STATE_TONE[s.state]}>{s.state}</Badge>
                    ) : (
                      <Badge tone="info">standby</Badge>
                    )}
                    {s.runsHere ? null : (
                      <div class="muted">
                        {s.heldBy
                          ? `runs on host ${s.heldBy.name ?? s.heldBy.id}`
                          : 'waiting for the host that runs it'}
                      </div>
                    )}
                    {s.connectedSince ? (
                      <div class="muted">
                        since <LocalTime at={new Date(s.connectedSince)} />
                      </div>
                    ) : null}
                    {s.lastFailure ? (
                      <div class="muted">
                        last failure ({s.lastFailure.kind}): {s.lastFailure.detail}
                      </div>
                    ) : null}
                    {s.warnings.map((w) => (
                      <div class="notice warn" role="status">
                        {w}
                      </div>
                    ))}
                  </td>
                  <td>
                    {s.lastEventAt ? (
                      <LocalTime at={new Date(s.lastEventAt)} />
                    ) : (
                      <span class="muted">none yet</span>
                    )}
                  </td>
                  <td>{s.reconnects}</td>
                  <td>
                    {s.lastReconcile ? (
                      <>
                        <LocalTime at={new Date(s.lastReconcile.at)} /> ({s.lastReconcile.trigger}):{' '}
                        {s.lastReconcile.live} live, {s.lastReconcile.ended} ended, {s.lastReconcile.started}{' '}
                        started
                      </>
                    ) : (
                      <span class="muted">{s.detail ?? 'not reconciled'}</span>
                    )}
                  </td>
                  <td>{s.openCalls ?? ''}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const TONE: Record<string, 'ok' | 'warn' | 'bad' | 'info' | undefined> = {
  trace: undefined,
  debug: undefined,
  info: 'info',
  warn: 'warn',
  error: 'bad',
  fatal: 'bad',
};

/** Recent host log lines from memory, newest first, for troubleshooting without shell access. */
export function systemLogRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();
  app.get('/admin/system-log', async (c) => {
    const q = QuerySchema.parse(c.req.query());
    const lines = linesFor(c.get('session'), deps.recentLog.query(q.level, Number.POSITIVE_INFINITY)).slice(
      0,
      q.limit,
    );
    const answer = await callApi(c, deps, 'GET', '/call-sources');
    const sources = answer.status === 200 ? (answer.body as { items: SourceView[] }).items : [];
    return c.html(
      <Page
        title="System log"
        session={c.get('session')}
        nav="system-log"
        crumbs={['Administration', 'Maintenance', 'System log']}
      >
        <CallSources sources={sources} />
        <h2>Log</h2>
        <form class="toolbar" method="get" action="/admin/system-log">
          <label for="log-level">Show</label>
          <select id="log-level" name="level">
            {LEVELS.map((l) => (
              <option value={l} selected={q.level === l}>
                {l === 'trace' ? 'everything' : `${l} and above`}
              </option>
            ))}
          </select>
          <label for="log-limit">Lines</label>
          <select id="log-limit" name="limit">
            {[100, 200, 500, 2000].map((n) => (
              <option value={String(n)} selected={q.limit === n}>
                {n}
              </option>
            ))}
          </select>
          <button class="btn" type="submit">
            Apply
          </button>
          <span class="muted">Newest first; the host keeps the most recent lines in memory.</span>
        </form>
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Log lines</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Level</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {lines.length === 0 ? (
                <tr>
                  <td colspan={3} class="empty">
                    No log lines at this level.
                  </td>
                </tr>
              ) : (
                lines.map((line) => {
                  const { pid: _pid, hostname: _hostname, ...fields } = line.fields;
                  return (
                    <tr>
                      <td class="log-time">
                        <LocalTime at={new Date(line.time)} />
                      </td>
                      <td>
                        <Badge tone={TONE[line.level]}>{line.level}</Badge>
                      </td>
                      <td>
                        {Object.keys(fields).length ? (
                          <details>
                            <summary>{line.msg || '(no message)'}</summary>
                            <pre class="fields">{JSON.stringify(fields, null, 2)}</pre>
                          </details>
                        ) : (
                          line.msg
                        )}
                      </td>
                    </tr>
                  );
                })
              )}
            </tbody>
          </table>
        </div>
      </Page>,
    );
  });
  return app;
}
