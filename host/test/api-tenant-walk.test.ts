import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addTenant, startTestHost, TENANT_ADMIN_PASSWORD, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';
import { hello, newIdentity, TestAgent } from './support/test-agent.js';

/** Written into every row of the victim tenant: no other principal's answer may contain it. */
const MARK = 'victim-secret-marker';
/**
 * Reachable without a session (sign-in steps), or by any signed-in role for its own account (the API's own
 * lists in create-api.ts): a supervisor changes its own password too.
 */
const OPEN = new Set([
  '/api/health',
  '/api/auth/login',
  '/api/auth/login/second-factor',
  '/api/auth/oidc/start',
  '/api/auth/oidc/callback',
  '/api/openapi.json',
  '/api/auth/me',
  '/api/auth/password',
]);
/** Left out of the walk, each for a reason: it would end the walking principal's session. */
const SKIP = new Set(['POST /api/auth/logout']);
/**
 * What the provider, in its own tenant, may read about other tenants: the whole host log (it operates the
 * host, logging/tenant-lines.ts) and its own audit log, which records its tenant operations by tenant id.
 */
const PROVIDER_HOST_WIDE = new Set(['/api/system-log', '/api/audit-log']);

interface Victim {
  tenantId: string;
  ids: Record<string, string>;
}

/** Every route of the API app as hono registered it, with each :param filled with the victim's ids. */
function routesOf(t: TestHost): { method: string; path: string }[] {
  const seen = new Set<string>();
  const out: { method: string; path: string }[] = [];
  for (const route of t.host.runtime().api.routes) {
    if (route.method === 'ALL' || !route.path.startsWith('/api/') || route.path.includes('*')) continue;
    const key = `${route.method} ${route.path}`;
    if (seen.has(key) || SKIP.has(key)) continue;
    seen.add(key);
    out.push({ method: route.method, path: route.path });
  }
  return out;
}

/** A body for the methods that take one: an empty object, which every schema refuses or accepts. */
const bodyFor = (method: string) => (method === 'GET' || method === 'HEAD' ? {} : { body: {} });

function fill(template: string, victim: Victim): string {
  const resource = template.split('/')[2]!;
  return template.replace(/:[A-Za-z]+/g, () => encodeURIComponent(victim.ids[resource] ?? victim.tenantId));
}

function leaks(body: unknown, victim: Victim): string | undefined {
  const text = JSON.stringify(body ?? '');
  if (text.includes(MARK)) return 'the marker';
  for (const [what, id] of Object.entries({ tenant: victim.tenantId, ...victim.ids })) {
    if (text.includes(id)) return `the ${what} id`;
  }
  return undefined;
}

for (const kind of await databaseKinds()) {
  const test = suite<{
    t: TestHost;
    provider: string;
    victim: Victim;
    otherAdmin: string;
    supervisor: string;
    agent: TestAgent;
  }>(`api: hostile walk over every route (${kind})`);

  test.before(async (ctx) => {
    ctx.t = await startTestHost(kind);
    ctx.provider = await ctx.t.login();
    const victim = await addTenant(ctx.t, 'victim');
    const as = { token: victim.bearer };
    const user = await ctx.t.call('POST', '/api/users', { ...as, body: { name: MARK, seatLicence: true } });
    const target = await ctx.t.call('POST', '/api/storage-targets', {
      ...as,
      body: { name: MARK, kind: 'local', options: { root: `${ctx.t.dataDir}/${MARK}` } },
    });
    const supervisor = await ctx.t.call('POST', '/api/admin-users', {
      ...as,
      body: { username: `${MARK}-sup`, password: TENANT_ADMIN_PASSWORD, role: 'supervisor' },
    });
    const identity = newIdentity(victim.token);
    ctx.agent = await TestAgent.connect(`ws://127.0.0.1:${ctx.t.started.controller.tcpPort}`);
    ctx.agent.send({ ...hello(identity), computerName: MARK });
    await ctx.agent.next('welcome');
    ctx.victim = {
      tenantId: victim.tenantId,
      ids: {
        users: user.body.id,
        'storage-targets': target.body.id,
        'admin-users': supervisor.body.id,
        workstations: identity.workstationId,
        tenants: victim.tenantId,
      },
    };
    ctx.otherAdmin = (await addTenant(ctx.t, 'other')).bearer;
    ctx.supervisor = await ctx.t.login(`${MARK}-sup`, TENANT_ADMIN_PASSWORD, 'victim');
  });
  test.after(async (ctx) => {
    await ctx.agent.close();
    await ctx.t.stop();
  });

  test('the walk covers every route, including the tenant routes', async (ctx) => {
    const keys = routesOf(ctx.t).map((r) => `${r.method} ${r.path}`);
    for (const key of [
      'GET /api/tenants',
      'DELETE /api/tenants/:id',
      'GET /api/audit-log',
      'GET /api/users',
    ]) {
      assert.ok(keys.includes(key), key);
    }
    // The marker detection works: the victim's own provider, acting inside it, sees its data.
    const inside = await ctx.t.call('GET', '/api/users', {
      token: ctx.provider,
      headers: { 'x-deskrec-tenant': 'victim' },
    });
    assert.ok(leaks(inside.body, ctx.victim));
  });

  test('a supervisor gets 403 on every route but its own account', async (ctx) => {
    for (const route of routesOf(ctx.t)) {
      if (OPEN.has(route.path)) continue;
      const res = await ctx.t.call(route.method, fill(route.path, ctx.victim), {
        token: ctx.supervisor,
        ...bodyFor(route.method),
      });
      assert.is(res.status, 403, `${route.method} ${route.path}: ${res.status}`);
    }
  });

  for (const who of ['otherAdmin', 'provider'] as const) {
    test(`${who === 'provider' ? 'the provider admin, in its own tenant,' : 'another tenant’s admin'} never gets the victim’s data`, async (ctx) => {
      const token = ctx[who];
      for (const route of routesOf(ctx.t)) {
        const providerRoute =
          route.path.startsWith('/api/tenants') || (who === 'provider' && PROVIDER_HOST_WIDE.has(route.path));
        // The provider manages tenants, but its walk must not delete the victim it is checked against.
        if (who === 'provider' && providerRoute && route.method !== 'GET') continue;
        const res = await ctx.t.call(route.method, fill(route.path, ctx.victim), {
          token,
          ...bodyFor(route.method),
        });
        const label = `${route.method} ${route.path}: ${res.status} ${JSON.stringify(res.body)}`;
        assert.ok(res.status < 500, label);
        if (providerRoute) {
          if (who === 'otherAdmin') assert.is(res.status, 403, label);
          continue;
        }
        assert.is(leaks(res.body, ctx.victim), undefined, label);
        if (route.path.includes(':')) assert.ok([400, 403, 404].includes(res.status), label);
      }
    });
  }

  test('the victim’s data is unchanged after the walks', async (ctx) => {
    const { repos } = ctx.t.host.services();
    const { tenantId, ids } = ctx.victim;
    assert.is((await repos.users.list(tenantId))[0]?.name, MARK);
    assert.is((await repos.storageTargets.get(tenantId, ids['storage-targets']!))?.name, MARK);
    assert.is((await repos.adminUsers.get(tenantId, ids['admin-users']!))?.disabled, false);
    assert.is((await repos.directory.find(tenantId, ids.workstations!))?.state, 'pending');
    assert.is((await repos.tenants.get(tenantId))?.state, 'active');
  });

  test.run();
}
