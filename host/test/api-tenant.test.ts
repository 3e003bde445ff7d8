import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addTenant, startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost; admin: string }>(`api: tenant and token (${kind})`);

  test.before(async (ctx) => {
    ctx.t = await startTestHost(kind);
    ctx.admin = await ctx.t.login();
  });
  test.after(async (ctx) => ctx.t.stop());

  test('the token is shown as a hint only', async (ctx) => {
    const first = ctx.t.credentials.tenantToken;
    const tenant = await ctx.t.call('GET', '/api/tenant', { token: ctx.admin });
    assert.is(tenant.status, 200);
    assert.is(tenant.body.slug, 'default');
    assert.is(tenant.body.tokenHint, `${first.slice(0, 4)}…`);
    const hint = await ctx.t.call('GET', '/api/tenant/token', { token: ctx.admin });
    assert.equal(hint.body, { hint: `${first.slice(0, 4)}…` });
    assert.not.ok(JSON.stringify(tenant.body).includes(first));
  });

  test('reset returns a new token once; the old one stops admitting new workstations', async (ctx) => {
    const old = ctx.t.credentials.tenantToken;
    const dir = ctx.t.host.services().repos.directory;
    const res = await ctx.t.call('POST', '/api/tenant/token/reset', { token: ctx.admin });
    assert.is(res.status, 200);
    assert.match(res.body.token, /^[0-9a-f]{32}$/);
    assert.is.not(res.body.token, old);
    assert.is(await dir.findTenantByToken(old), undefined);
    assert.ok(await dir.findTenantByToken(res.body.token));
    const hint = await ctx.t.call('GET', '/api/tenant/token', { token: ctx.admin });
    assert.is(hint.body.hint, `${res.body.token.slice(0, 4)}…`);
  });

  test('rename; each admin sees only their own tenant', async (ctx) => {
    const renamed = await ctx.t.call('PATCH', '/api/tenant', { token: ctx.admin, body: { name: 'Contoso' } });
    assert.is(renamed.body.name, 'Contoso');
    const other = await addTenant(ctx.t, 'tenant-other');
    const theirs = await ctx.t.call('GET', '/api/tenant', { token: other.bearer });
    assert.is(theirs.body.slug, 'tenant-other');
    await ctx.t.call('POST', '/api/tenant/token/reset', { token: other.bearer });
    assert.is((await ctx.t.call('GET', '/api/tenant', { token: ctx.admin })).body.name, 'Contoso');
    const empty = await ctx.t.call('PATCH', '/api/tenant', { token: ctx.admin, body: { name: '   ' } });
    assert.is(empty.status, 400);
    assert.is(empty.body.error.field, 'name');
  });

  test.run();
}
