import { Hono } from 'hono';
import { z } from 'zod';
import type { CallFilter } from '../../db/repos/call-search.js';
import { Badge, formatDuration, LocalTime, Pager } from '../components.js';
import type { PortalDeps } from '../deps.js';
import { takeFlash } from '../flash.js';
import { Page } from '../layout.js';
import type { PortalEnv } from '../session.js';

const PAGE_SIZE = 25;
const DIRECTIONS = ['inbound', 'outbound', 'internal', 'unknown'] as const;

/** Query parameters of the calls list; a bad value is dropped (and named) instead of failing the page. */
const QuerySchema = z.object({
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  tz: z.coerce.number().int().min(-900).max(900).optional().catch(undefined),
  user: z.string().max(128).optional().catch(undefined),
  phone: z.string().trim().max(64).optional().catch(undefined),
  direction: z.enum(DIRECTIONS).optional().catch(undefined),
  screen: z.enum(['yes', 'no']).optional().catch(undefined),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).catch(0),
});
type Query = z.output<typeof QuerySchema>;

/** A local calendar day (browser offset in minutes, as getTimezoneOffset gives it) as a UTC instant. */
function dayStart(date: string, tzOffset: number, plusDays = 0): Date {
  const utc = Date.parse(`${date}T00:00:00Z`) + plusDays * 86_400_000;
  return new Date(utc + tzOffset * 60_000);
}

function hrefWith(q: Query, offset: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...q, offset })) {
    if (value !== undefined && value !== '' && !(key === 'offset' && value === 0))
      params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `/calls?${s}` : '/calls';
}

const DIRECTION_LABEL: Record<string, string> = {
  inbound: 'Inbound',
  outbound: 'Outbound',
  internal: 'Internal',
  unknown: 'Unknown',
};

function Party(props: { number: string | null; name: string | null }) {
  return (
    <>
      <span class="mono">{props.number ?? '—'}</span>
      {props.name ? <div class="muted">{props.name}</div> : null}
    </>
  );
}

export function callsListRoutes(deps: PortalDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();
  app.get('/calls', async (c) => {
    const session = c.get('session');
    const q = QuerySchema.parse(c.req.query());
    const tz = q.tz ?? 0;
    const filter: CallFilter = {
      from: q.from ? dayStart(q.from, tz) : undefined,
      to: q.to ? dayStart(q.to, tz, 1) : undefined,
      userId: q.user || undefined,
      phone: q.phone || undefined,
      direction: q.direction,
      screen: q.screen,
      limit: PAGE_SIZE,
      offset: q.offset,
    };
    const [{ items, total }, users] = await Promise.all([
      deps.repos.callSearch.list(session.tenantId, filter),
      deps.repos.users.list(session.tenantId),
    ]);
    const filtered = Boolean(q.from || q.to || q.user || q.phone || q.direction || q.screen);
    return c.html(
      <Page title="Calls" session={session} nav="calls" crumbs={['Recordings', 'Calls']} flash={takeFlash(c)}>
        <form class="panel" method="get" action="/calls" aria-label="Filter calls">
          <input type="hidden" name="tz" value={String(tz)} />
          <div class="filters">
            <div>
              <label for="f-from">From date</label>
              <input id="f-from" type="date" name="from" value={q.from ?? ''} />
            </div>
            <div>
              <label for="f-to">To date</label>
              <input id="f-to" type="date" name="to" value={q.to ?? ''} />
            </div>
            <div>
              <label for="f-phone">Phone number</label>
              <input id="f-phone" type="search" name="phone" value={q.phone ?? ''} placeholder="Digits" />
            </div>
            <div>
              <label for="f-user">User</label>
              <select id="f-user" name="user">
                <option value="">Any user</option>
                {users.map((u) => (
                  <option value={u.id} selected={q.user === u.id}>
                    {u.name}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="f-direction">Direction</label>
              <select id="f-direction" name="direction">
                <option value="">Any direction</option>
                {DIRECTIONS.map((d) => (
                  <option value={d} selected={q.direction === d}>
                    {DIRECTION_LABEL[d]}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="f-screen">Screen recording</label>
              <select id="f-screen" name="screen">
                <option value="">With or without</option>
                <option value="yes" selected={q.screen === 'yes'}>
                  With screen recording
                </option>
                <option value="no" selected={q.screen === 'no'}>
                  Without screen recording
                </option>
              </select>
            </div>
            <div class="row">
              <button class="btn primary" type="submit">
                Search
              </button>
              {filtered ? (
                <a class="btn" href="/calls">
                  Clear
                </a>
              ) : null}
            </div>
          </div>
        </form>
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Calls, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col" class="num">
                  Duration
                </th>
                <th scope="col">Direction</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
                <th scope="col">User</th>
                <th scope="col">Screen recording</th>
                <th scope="col">Audio</th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 ? (
                <tr>
                  <td colspan={8} class="empty">
                    {filtered ? 'No calls match these filters.' : 'No calls have been recorded yet.'}
                  </td>
                </tr>
              ) : (
                items.map((call) => (
                  <tr>
                    <td>
                      <a href={`/calls/${encodeURIComponent(call.id)}`}>
                        <LocalTime at={call.startedAt} />
                      </a>
                    </td>
                    <td class="num">
                      {call.endedAt ? (
                        formatDuration((call.endedAt.getTime() - call.startedAt.getTime()) / 1000)
                      ) : (
                        <Badge tone="info">In progress</Badge>
                      )}
                    </td>
                    <td>{DIRECTION_LABEL[call.direction]}</td>
                    <td>
                      <Party number={call.fromNumber} name={call.fromName} />
                    </td>
                    <td>
                      <Party number={call.toNumber} name={call.toName} />
                    </td>
                    <td>
                      {call.userName ?? <span class="muted">—</span>}
                      {call.extension ? <div class="muted">Ext. {call.extension}</div> : null}
                    </td>
                    <td>
                      <Badge tone={call.screen.tone}>{call.screen.label}</Badge>
                      {call.screen.reason ? <div class="muted">{call.screen.reason}</div> : null}
                    </td>
                    <td>{call.hasAudio ? 'Yes' : <span class="muted">No</span>}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
        <Pager total={total} offset={q.offset} limit={PAGE_SIZE} href={(offset) => hrefWith(q, offset)} />
      </Page>,
    );
  });
  return app;
}
