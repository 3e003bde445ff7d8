import { Hono } from 'hono';
import { z } from 'zod';
import type { WorkstationView } from '../../db/repos/workstations.js';
import { apiError, callApi } from '../api-call.js';
import { LocalTime, Pager } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { setFlash, takeFlash } from '../flash.js';
import { readForm } from '../form.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';
import { shortId } from './workstation-detail.js';

const PAGE_SIZE = 50;
const TABS = [
  { key: 'all', label: 'All' },
  { key: 'authorized', label: 'Authorized' },
  { key: 'pending', label: 'Pending authorization' },
  { key: 'forbidden', label: 'Forbidden' },
] as const;
type Tab = (typeof TABS)[number]['key'];

const QuerySchema = z.object({
  tab: z.enum(['all', 'authorized', 'pending', 'forbidden']).default('all').catch('all'),
  search: z.string().trim().max(200).optional().catch(undefined),
  offset: z.coerce.number().int().min(0).default(0).catch(0),
});

const STATE_BADGE: Record<WorkstationView['state'], string> = {
  authorized: '<span class="badge ok">Authorized</span>',
  pending: '<span class="badge warn">Pending</span>',
  forbidden: '<span class="badge bad">Forbidden</span>',
};

function listHref(tab: Tab, search: string | undefined, offset = 0): string {
  const p = new URLSearchParams();
  if (tab !== 'all') p.set('tab', tab);
  if (search) p.set('search', search);
  if (offset) p.set('offset', String(offset));
  const s = p.toString();
  return `/admin/workstations${s ? `?${s}` : ''}`;
}

const ACTIONS = {
  authorize: { path: 'authorize', done: 'authorized' },
  forbid: { path: 'forbid', done: 'forbidden' },
  delete: { path: 'delete', done: 'deleted' },
} as const;

export function workstationRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();
  const onlineOf = (tenantId: string, w: WorkstationView) =>
    deps.hooks.channel ? deps.hooks.channel.isOnline(tenantId, w.id) : w.online;

  app.get('/admin/workstations', async (c) => {
    const session = c.get('session');
    const q = QuerySchema.parse(c.req.query());
    const repo = deps.repos.workstations;
    const state = q.tab === 'all' ? undefined : q.tab;
    const [page, ...counts] = await Promise.all([
      repo.list(session.tenantId, { state, search: q.search, limit: PAGE_SIZE, offset: q.offset }),
      ...TABS.map((t) =>
        repo.list(session.tenantId, {
          state: t.key === 'all' ? undefined : t.key,
          search: q.search,
          limit: 1,
        }),
      ),
    ]);
    const countOf = (key: Tab) => counts[TABS.findIndex((t) => t.key === key)]?.total ?? 0;
    return c.html(
      <Page
        title="Workstations"
        session={session}
        nav="workstations"
        crumbs={['Administration', 'Screen recording', 'Workstations']}
        flash={takeFlash(c)}
      >
        <p class="muted">
          Agents appear here when they first connect with the tenant token. A workstation records only once it
          is authorized; a forbidden one is disconnected and refused.
        </p>
        <nav class="tabs" aria-label="Authorization state">
          {TABS.map((t) => (
            <a href={listHref(t.key, q.search)} aria-current={q.tab === t.key ? 'page' : undefined}>
              {t.label}
              <span class="count">{countOf(t.key)}</span>
            </a>
          ))}
        </nav>
        <form class="toolbar" method="get" action="/admin/workstations">
          {q.tab !== 'all' ? <input type="hidden" name="tab" value={q.tab} /> : null}
          <label class="sr-only" for="ws-search">
            Search workstations
          </label>
          <input
            id="ws-search"
            type="search"
            name="search"
            value={q.search ?? ''}
            placeholder="Domain, computer name or IP address"
            size={36}
          />
          <button class="btn" type="submit">
            Search
          </button>
        </form>
        <form method="post" action="/admin/workstations" data-confirm="">
          <input type="hidden" name="back" value={listHref(q.tab, q.search, q.offset)} />
          <div class="toolbar">
            <button class="btn primary" type="submit" name="action" value="authorize" data-needs-selection>
              Authorize
            </button>
            <button class="btn" type="submit" name="action" value="forbid" data-needs-selection>
              Forbid
            </button>
            <button
              class="btn danger"
              type="submit"
              name="action"
              value="delete"
              data-needs-selection
              data-confirm="Delete the selected workstations? They appear again as pending if their agent reconnects."
            >
              Delete
            </button>
            <span class="muted" aria-live="polite">
              Selected rows: <strong data-selected-count>0</strong>
            </span>
          </div>
          <div class="table-wrap" data-live-url="/admin/workstations/live.json" data-live-every="3000">
            <table data-select-table>
              <caption class="sr-only">Workstations</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <input type="checkbox" data-select-all aria-label="Select all rows" />
                  </th>
                  <th scope="col">Authorization</th>
                  <th scope="col">Domain</th>
                  <th scope="col">Computer name</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Current login</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {page.items.length === 0 ? (
                  <tr>
                    <td colspan={9} class="empty">
                      {q.search ? 'No workstation matches the search.' : 'No workstations in this list.'}
                    </td>
                  </tr>
                ) : (
                  page.items.map((w) => {
                    const online = onlineOf(session.tenantId, w);
                    return (
                      <tr data-ws={w.id}>
                        <td>
                          <input
                            type="checkbox"
                            name="ids"
                            value={w.id}
                            aria-label={`Select ${w.computerName}`}
                          />
                        </td>
                        <td>
                          <span data-col="state" dangerouslySetInnerHTML={{ __html: STATE_BADGE[w.state] }} />
                          {w.conflict ? (
                            <div
                              class="error"
                              title="Another machine presented this workstation's id with a wrong secret"
                            >
                              Id conflict
                            </div>
                          ) : null}
                        </td>
                        <td>{w.domain ?? '—'}</td>
                        <td>
                          <a href={`/admin/workstations/${encodeURIComponent(w.id)}`}>
                            <strong>{w.computerName}</strong>
                          </a>
                          <span class="short-id" title={`Workstation id ${w.id}`}>
                            {shortId(w.id)}
                          </span>
                          {w.os ? <div class="muted">{`${w.os.platform} ${w.os.release}`}</div> : null}
                        </td>
                        <td class="mono">{w.remoteAddress ?? '—'}</td>
                        <td data-col="login">{w.login ?? '—'}</td>
                        <td>{w.agentVersion ?? '—'}</td>
                        <td data-col="online">
                          <span class={`dot${online ? ' on' : ''}`} aria-hidden="true" />{' '}
                          {online ? 'Online' : 'Offline'}
                        </td>
                        <td data-col="seen">
                          <LocalTime at={w.lastSeen} />
                        </td>
                      </tr>
                    );
                  })
                )}
              </tbody>
            </table>
          </div>
        </form>
        <Pager
          total={page.total}
          offset={q.offset}
          limit={PAGE_SIZE}
          href={(offset) => listHref(q.tab, q.search, offset)}
        />
      </Page>,
    );
  });

  app.post('/admin/workstations', async (c) => {
    const form = await readForm(c);
    const back = form.get('back') ?? '';
    const to = back.startsWith('/admin/workstations') ? back : '/admin/workstations';
    const action = ACTIONS[form.get('action') as keyof typeof ACTIONS];
    const ids = form.all('ids');
    if (!action || ids.length === 0) {
      setFlash(c, { kind: 'error', text: 'Select at least one workstation, then choose an action.' });
      return c.redirect(to, 303);
    }
    const result = await callApi(c, deps, 'POST', `/workstations/${action.path}`, { ids });
    const error = apiError(result);
    if (error) setFlash(c, { kind: 'error', text: error.message });
    else {
      const n = (result.body as { changed: string[] }).changed.length;
      setFlash(c, { kind: 'ok', text: `${n} workstation${n === 1 ? '' : 's'} ${action.done}.` });
    }
    return c.redirect(to, 303);
  });

  app.get('/admin/workstations/live.json', async (c) => {
    const session = c.get('session');
    const ids = [...new Set(c.req.queries('id') ?? [])].slice(0, 200);
    const items = [];
    for (const id of ids) {
      const w = await deps.repos.workstations.get(session.tenantId, id);
      if (!w) continue;
      items.push({
        id: w.id,
        state: w.state,
        stateHtml: STATE_BADGE[w.state],
        online: onlineOf(session.tenantId, w),
        login: w.login,
        lastSeen: w.lastSeen.toISOString(),
      });
    }
    c.header('cache-control', 'no-store');
    return c.json({ items });
  });
  return app;
}
