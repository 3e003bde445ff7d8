import { Hono } from 'hono';
import { z } from 'zod';
import { Badge, LocalTime } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const QuerySchema = z.object({
  level: z.enum(LEVELS).default('info').catch('info'),
  limit: z.coerce.number().int().min(10).max(2000).default(200).catch(200),
});
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
  app.get('/admin/system-log', (c) => {
    const q = QuerySchema.parse(c.req.query());
    const lines = deps.recentLog.query(q.level, q.limit);
    return c.html(
      <Page
        title="System log"
        session={c.get('session')}
        nav="system-log"
        crumbs={['Administration', 'Maintenance', 'System log']}
      >
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
