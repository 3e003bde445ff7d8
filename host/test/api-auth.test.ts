import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ControllerHooks } from '../src/api/deps.js';
import { HOST_TOKENS } from '../src/tokens.js';
import { startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost; admin: string; hooks: ControllerHooks }>(
    `api: sign-in, sessions and roles (${kind})`,
  );

  test.before(async (ctx) => {
    // The API's view of the controller is this object, so a test can report a controller that is down.
    ctx.hooks = {};
    ctx.t = await startTestHost(kind, '', (c) =>
      c.register(HOST_TOKENS.ControllerHooks, { useValue: ctx.hooks }),
    );
    ctx.admin = await ctx.t.login();
  });
  test.after(async (ctx) => ctx.t.stop());

  test('first start returns the admin password and tenant token once', async (ctx) => {
    const first = ctx.t.credentials;
    assert.is(first.username, 'admin');
    assert.ok(first.password.length >= 16);
    assert.match(first.tenantToken, /^[0-9a-f]{32}$/);
    assert.equal(await ctx.t.host.services().repos.directory.findTenantByToken(first.tenantToken), {
      tenantId: (await ctx.t.host.services().repos.tenants.bySlug('default'))!.id,
    });
  });

  test('login sets an HttpOnly SameSite=Strict cookie that authenticates', async (ctx) => {
    const res = await ctx.t.call('POST', '/api/auth/login', {
      body: { username: 'admin', password: ctx.t.credentials.password },
    });
    assert.is(res.status, 200);
    assert.is(res.body.token, undefined, 'no bearer token unless asked for');
    const cookie = res.headers.get('set-cookie')!;
    assert.match(cookie, /deskrec_session=[0-9a-f]{64}/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const me = await ctx.t.call('GET', '/api/auth/me', { headers: { cookie: cookie.split(';')[0]! } });
    assert.is(me.status, 200);
    assert.is(me.body.username, 'admin');
    // The installation's first admin is its provider admin.
    assert.is(me.body.role, 'provider-admin');
  });

  test('wrong password, unknown user and unknown tenant all give the same 401', async (ctx) => {
    for (const body of [
      { username: 'admin', password: 'nope' },
      { username: 'ghost', password: 'nope' },
      { username: 'admin', password: ctx.t.credentials.password, tenant: 'other' },
    ]) {
      const res = await ctx.t.call('POST', '/api/auth/login', { body });
      assert.is(res.status, 401);
      assert.equal(res.body, { error: { code: 'bad-credentials', message: 'Wrong username or password' } });
    }
  });

  test('no session → 401; logout ends the session', async (ctx) => {
    assert.is((await ctx.t.call('GET', '/api/users')).status, 401);
    assert.is((await ctx.t.call('GET', '/api/users', { token: 'f'.repeat(64) })).status, 401);
    const token = await ctx.t.login();
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token })).status, 200);
    assert.is((await ctx.t.call('POST', '/api/auth/logout', { token })).status, 204);
    const after = await ctx.t.call('GET', '/api/auth/me', { token });
    assert.is(after.status, 401);
    assert.is(after.body.error.code, 'unauthenticated');
  });

  test('an expired session gets 401', async (ctx) => {
    const token = await ctx.t.login();
    const { database } = ctx.t.host.services();
    await database.db
      .updateTable('admin_sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token })).status, 401);
    assert.is((await ctx.t.call('GET', '/api/settings', { token })).status, 401);
    ctx.admin = await ctx.t.login();
  });

  test('supervisor: may sign in and see itself, gets 403 on admin routes', async (ctx) => {
    const created = await ctx.t.call('POST', '/api/admin-users', {
      token: ctx.admin,
      body: { username: 'sue', password: 'supervisor-pass-1', role: 'supervisor' },
    });
    assert.is(created.status, 201);
    const sue = await ctx.t.login('sue', 'supervisor-pass-1');
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token: sue })).body.role, 'supervisor');
    for (const [method, path] of [
      ['GET', '/api/users'],
      ['GET', '/api/settings'],
      ['PUT', '/api/settings'],
      ['GET', '/api/storage-targets'],
      ['POST', '/api/workstations/authorize'],
      ['POST', '/api/tenant/token/reset'],
      ['GET', '/api/system-log'],
      ['POST', '/api/admin-users'],
    ] as const) {
      const res = await ctx.t.call(method, path, { token: sue, ...(method === 'GET' ? {} : { body: {} }) });
      assert.is(res.status, 403, `${method} ${path}`);
      assert.is(res.body.error.code, 'forbidden');
    }
  });

  test('admin-user passwords: short ones refused, duplicates conflict', async (ctx) => {
    const short = await ctx.t.call('POST', '/api/admin-users', {
      token: ctx.admin,
      body: { username: 'x', password: 'short', role: 'admin' },
    });
    assert.is(short.status, 400);
    assert.is(short.body.error.field, 'password');
    const dup = await ctx.t.call('POST', '/api/admin-users', {
      token: ctx.admin,
      body: { username: 'admin', password: 'long-enough-pass', role: 'admin' },
    });
    assert.is(dup.status, 409);
  });

  test('health, metrics and the OpenAPI document are served', async (ctx) => {
    const health = await ctx.t.call('GET', '/api/health');
    assert.is(health.status, 200);
    assert.is(health.body.status, 'ok');
    assert.is(health.body.database.ok, true);
    assert.is(health.body.database.kind, kind);
    const metrics = await fetch(`${ctx.t.url}/metrics`);
    const text = await metrics.text();
    assert.match(text, 'deskrec_connected_agents{state="authorized"} 0');
    assert.match(text, 'deskrec_http_requests_total');
    const doc = await ctx.t.call('GET', '/api/openapi.json');
    assert.is(doc.status, 200);
    assert.is(doc.body.openapi, '3.1.0');
    for (const path of [
      '/api/auth/login',
      '/api/users/{id}',
      '/api/settings',
      '/api/storage-targets/{id}/test',
      '/api/workstations/authorize',
    ]) {
      assert.ok(doc.body.paths[path], `documented: ${path}`);
    }
  });

  test('the controller hook feeds health and metrics', async (ctx) => {
    ctx.hooks.status = () => ({ ok: false, tcp: 'not listening' });
    const unregister = ctx.t.host
      .resolve(HOST_TOKENS.Metrics)
      .setConnectedAgents(() => ({ authorized: 3, pending: 1 }));
    try {
      const health = await ctx.t.call('GET', '/api/health');
      assert.is(health.body.status, 'degraded');
      assert.equal(health.body.controller, { ok: false, tcp: 'not listening' });
      const text = await (await fetch(`${ctx.t.url}/metrics`)).text();
      assert.match(text, 'deskrec_connected_agents{state="authorized"} 3');
      assert.match(text, 'deskrec_connected_agents{state="pending"} 1');
    } finally {
      unregister();
      delete ctx.hooks.status;
    }
  });

  test('system log: recent lines by level, admin only', async (ctx) => {
    const res = await ctx.t.call('GET', '/api/system-log?level=info&limit=50', { token: ctx.admin });
    assert.is(res.status, 200);
    assert.ok(res.body.items.some((l: { msg: string }) => l.msg === 'Host started'));
    const bad = await ctx.t.call('GET', '/api/system-log?level=loud', { token: ctx.admin });
    assert.is(bad.status, 400);
    assert.is(bad.body.error.field, 'query.level');
    const logged = JSON.stringify(
      (await ctx.t.call('GET', '/api/system-log?level=trace&limit=5000', { token: ctx.admin })).body,
    );
    assert.not.ok(logged.includes(ctx.t.credentials.password), 'the password never reaches the log');
  });

  test.run();
}
