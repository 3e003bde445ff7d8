import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isStorageError } from '@deskrec/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CLOSE } from '../src/controller/close-codes.js';
import { addTenant, startTestHost, TENANT_ADMIN_PASSWORD, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';
import type { PortalHost } from './support/portal-host.js';
import { seedCall } from './support/portal-media.js';
import { hello, newIdentity, TestAgent } from './support/test-agent.js';

/** Polls until `check` holds (the deletion runs as a job); fails with `what` after a deadline. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function connectAgent(t: TestHost, tenantToken: string) {
  const agent = await TestAgent.connect(`ws://127.0.0.1:${t.started.controller.tcpPort}`);
  agent.send(hello(newIdentity(tenantToken)));
  return agent;
}

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost; provider: string }>(`api: tenants (${kind})`);

  test.before(async (ctx) => {
    ctx.t = await startTestHost(kind);
    ctx.provider = await ctx.t.login();
  });
  test.after(async (ctx) => ctx.t.stop());

  test('a provider admin creates a tenant with its own token and first admin', async (ctx) => {
    const res = await ctx.t.call('POST', '/api/tenants', {
      token: ctx.provider,
      body: { slug: 'acme', name: 'Acme', admin: { username: 'boss', password: TENANT_ADMIN_PASSWORD } },
    });
    assert.is(res.status, 201);
    assert.is(res.body.tenant.slug, 'acme');
    assert.is(res.body.tenant.state, 'active');
    assert.match(res.body.token, /^[0-9a-f]{32}$/);
    assert.is.not(res.body.token, ctx.t.credentials.tenantToken);
    // Stored hashed: the listing shows only the hint.
    const list = await ctx.t.call('GET', '/api/tenants', { token: ctx.provider });
    assert.equal(
      list.body.items.map((x: { slug: string }) => x.slug),
      ['acme', 'default'],
    );
    assert.not.ok(JSON.stringify(list.body).includes(res.body.token));
    const { repos } = ctx.t.host.services();
    assert.ok(await repos.directory.findTenantByToken(res.body.token));
    // Its own settings, users, storage targets and audit log.
    const boss = await ctx.t.login('boss', TENANT_ADMIN_PASSWORD, 'acme');
    assert.is((await ctx.t.call('GET', '/api/settings', { token: boss })).status, 200);
    assert.equal((await ctx.t.call('GET', '/api/users', { token: boss })).body.items, []);
    assert.equal((await ctx.t.call('GET', '/api/storage-targets', { token: boss })).body.items, []);
    const audit = await ctx.t.call('GET', '/api/audit-log', { token: boss });
    assert.ok(audit.body.items.some((e: { action: string }) => e.action === 'tenant.create'));
    const providerAudit = await ctx.t.call('GET', '/api/audit-log', { token: ctx.provider });
    const created = providerAudit.body.items.find((e: { action: string }) => e.action === 'tenant.create');
    assert.equal(created.detail, { slug: 'acme', admin: 'boss' });
    // A tenant admin manages only their tenant, never the list of tenants.
    assert.is((await ctx.t.call('GET', '/api/tenants', { token: boss })).status, 403);
  });

  test('validation errors name the field; a duplicate slug is 409', async (ctx) => {
    const bad = await ctx.t.call('POST', '/api/tenants', {
      token: ctx.provider,
      body: { slug: 'Not A Slug', name: 'x' },
    });
    assert.is(bad.status, 400);
    assert.is(bad.body.error.field, 'slug');
    const noName = await ctx.t.call('POST', '/api/tenants', { token: ctx.provider, body: { slug: 'ok' } });
    assert.is(noName.body.error.field, 'name');
    const weak = await ctx.t.call('POST', '/api/tenants', {
      token: ctx.provider,
      body: { slug: 'weak', name: 'Weak', admin: { username: 'a', password: 'password1234' } },
    });
    assert.is(weak.status, 400);
    assert.is(weak.body.error.field, 'admin.password');
    assert.is((await ctx.t.call('GET', '/api/tenants', { token: ctx.provider })).body.items.length, 2);
    const extra = await ctx.t.call('POST', '/api/tenants', {
      token: ctx.provider,
      body: { slug: 'ok', name: 'ok', plan: 'gold' },
    });
    assert.is(extra.body.error.field, 'plan');
    const dup = await ctx.t.call('POST', '/api/tenants', {
      token: ctx.provider,
      body: { slug: 'acme', name: 'Another' },
    });
    assert.is(dup.status, 409);
    assert.is(dup.body.error.field, 'slug');
  });

  test('rename; the provider acts inside one tenant with X-Deskrec-Tenant', async (ctx) => {
    const acme = (await ctx.t.call('GET', '/api/tenants', { token: ctx.provider })).body.items[0];
    const renamed = await ctx.t.call('PATCH', `/api/tenants/${acme.id}`, {
      token: ctx.provider,
      body: { name: 'Acme Ltd' },
    });
    assert.is(renamed.body.name, 'Acme Ltd');
    assert.is(renamed.body.slug, 'acme');
    const inside = await ctx.t.call('GET', '/api/tenant', {
      token: ctx.provider,
      headers: { 'x-deskrec-tenant': 'acme' },
    });
    assert.is(inside.body.id, acme.id);
    const own = await ctx.t.call('GET', '/api/tenant', { token: ctx.provider });
    assert.is(own.body.slug, 'default');
    const missing = await ctx.t.call('GET', '/api/tenant', {
      token: ctx.provider,
      headers: { 'x-deskrec-tenant': 'nobody' },
    });
    assert.is(missing.status, 404);
    // A tenant admin may not switch.
    const boss = await ctx.t.login('boss', TENANT_ADMIN_PASSWORD, 'acme');
    const sneaky = await ctx.t.call('GET', '/api/users', {
      token: boss,
      headers: { 'x-deskrec-tenant': 'default' },
    });
    assert.is(sneaky.status, 403);
    assert.is((await ctx.t.call('GET', `/api/tenants/${acme.id}`, { token: ctx.provider })).status, 200);
    assert.is((await ctx.t.call('GET', '/api/tenants/nope', { token: ctx.provider })).status, 404);
  });

  test('suspend refuses the tenant’s agents, sign-ins and API use; resume restores them', async (ctx) => {
    const shop = await addTenant(ctx.t, 'shop');
    const connected = await connectAgent(ctx.t, shop.token);
    assert.is((await connected.next('welcome')).state, 'pending');

    const suspended = await ctx.t.call('POST', `/api/tenants/${shop.tenantId}/suspend`, {
      token: ctx.provider,
    });
    assert.is(suspended.status, 200);
    assert.is(suspended.body.state, 'suspended');
    const error = await connected.next('error');
    assert.match(error.message, /suspended/);
    assert.is((await connected.closed).code, CLOSE.tenantSuspended);

    const refused = await connectAgent(ctx.t, shop.token);
    assert.match((await refused.next('error')).message, /suspended by its service provider/);
    assert.equal(await refused.closed, { code: CLOSE.tenantSuspended, reason: 'tenant suspended' });

    const api = await ctx.t.call('GET', '/api/users', { token: shop.bearer });
    assert.is(api.status, 403);
    assert.is(api.body.error.code, 'tenant-suspended');
    const signIn = await ctx.t.call('POST', '/api/auth/login', {
      body: { username: 'admin', password: TENANT_ADMIN_PASSWORD, tenant: 'shop' },
    });
    assert.is(signIn.status, 403);
    assert.is(signIn.body.error.code, 'tenant-suspended');
    // The provider still sees inside, to decide.
    const look = await ctx.t.call('GET', '/api/users', {
      token: ctx.provider,
      headers: { 'x-deskrec-tenant': 'shop' },
    });
    assert.is(look.status, 200);
    const again = await ctx.t.call('POST', `/api/tenants/${shop.tenantId}/suspend`, { token: ctx.provider });
    assert.is(again.status, 409);

    const resumed = await ctx.t.call('POST', `/api/tenants/${shop.tenantId}/resume`, {
      token: ctx.provider,
    });
    assert.is(resumed.body.state, 'active');
    assert.is((await ctx.t.call('GET', '/api/users', { token: shop.bearer })).status, 200);
    assert.ok(await ctx.t.login('admin', TENANT_ADMIN_PASSWORD, 'shop'));
    const back = await connectAgent(ctx.t, shop.token);
    assert.is((await back.next('welcome')).state, 'pending');
    await back.close();
    const actions = (await ctx.t.call('GET', '/api/audit-log', { token: shop.bearer })).body.items.map(
      (e: { action: string }) => e.action,
    );
    for (const action of ['tenant.suspend', 'tenant.resume', 'auth.login-refused']) {
      assert.ok(actions.includes(action), action);
    }
  });

  test('the provider’s own tenant cannot be suspended or deleted', async (ctx) => {
    const own = (await ctx.t.call('GET', '/api/tenant', { token: ctx.provider })).body;
    const suspend = await ctx.t.call('POST', `/api/tenants/${own.id}/suspend`, { token: ctx.provider });
    assert.is(suspend.status, 409);
    assert.is(suspend.body.error.code, 'own-tenant');
    assert.is((await ctx.t.call('DELETE', `/api/tenants/${own.id}`, { token: ctx.provider })).status, 409);
  });

  test('delete with the archive policy keeps the data and shuts the tenant out', async (ctx) => {
    const old = await addTenant(ctx.t, 'old');
    await ctx.t.call('POST', '/api/users', { token: old.bearer, body: { name: 'Kept', seatLicence: true } });
    const res = await ctx.t.call('DELETE', `/api/tenants/${old.tenantId}`, { token: ctx.provider });
    assert.is(res.status, 202);
    assert.is(res.body.state, 'deleting');
    const { repos } = ctx.t.host.services();
    await eventually(async () => (await repos.tenants.get(old.tenantId))?.state === 'archived', 'archive');
    assert.is((await repos.users.list(old.tenantId)).length, 1);
    assert.is(await repos.directory.findTenantByToken(old.token), undefined);
    assert.is((await ctx.t.call('GET', '/api/users', { token: old.bearer })).status, 401);
    assert.is((await ctx.t.call('GET', `/api/tenants/${old.tenantId}`, { token: ctx.provider })).status, 404);
    const dup = await ctx.t.call('POST', '/api/tenants', {
      token: ctx.provider,
      body: { slug: 'old', name: 'x' },
    });
    assert.is(dup.status, 409);
    const log = (await ctx.t.call('GET', '/api/audit-log', { token: ctx.provider })).body.items;
    assert.ok(
      log.some(
        (e: { action: string; targetId: string }) =>
          e.action === 'tenant.archived' && e.targetId === old.tenantId,
      ),
    );
  });

  test.run();

  const removal = suite<{ t: TestHost; provider: string }>(`api: tenant deletion policy delete (${kind})`);
  removal.before(async (ctx) => {
    ctx.t = await startTestHost(kind, 'tenants: { deletion: delete }');
    ctx.provider = await ctx.t.login();
  });
  removal.after(async (ctx) => ctx.t.stop());

  removal('delete removes the tenant’s stored files and rows; the slug is free again', async (ctx) => {
    const gone = await addTenant(ctx.t, 'gone');
    await ctx.t.call('POST', '/api/users', { token: gone.bearer, body: { name: 'Bye', seatLicence: true } });
    const file = join(ctx.t.dataDir, 'bytes.bin');
    await writeFile(file, 'screen and audio bytes');
    const { targets } = ctx.t.host.runtime();
    const seeded = await seedCall(
      { t: ctx.t, resolver: targets, tenantId: gone.tenantId } as PortalHost,
      { audio: file, segments: [{ file, offsetMs: 0, durationMs: 1000 }] },
      { callSeconds: 2, tenantId: gone.tenantId },
    );
    const { target } = await targets.forTenant(gone.tenantId);
    const keys = [seeded.audioKey, `screen/${seeded.callId}-0.mp4`];
    for (const key of keys) assert.ok(await target.stat(key), key);
    const res = await ctx.t.call('DELETE', `/api/tenants/${gone.tenantId}`, { token: ctx.provider });
    assert.is(res.status, 202);
    const { repos } = ctx.t.host.services();
    await eventually(async () => !(await repos.tenants.get(gone.tenantId)), 'the deletion');
    assert.is((await repos.users.list(gone.tenantId)).length, 0);
    assert.is((await repos.adminUsers.list(gone.tenantId)).length, 0);
    assert.is(await repos.directory.findTenantByToken(gone.token), undefined);
    const log = (await ctx.t.call('GET', '/api/audit-log', { token: ctx.provider })).body.items;
    const deleted = log.find((e: { action: string }) => e.action === 'tenant.deleted');
    assert.equal(deleted.detail, { slug: 'gone', storedObjectsRemoved: 2 });
    for (const key of keys) {
      const left = await target
        .stat(key)
        .catch((error: unknown) => (isStorageError(error, 'not-found') ? undefined : error));
      assert.is(left, undefined, key);
    }
    const again = await ctx.t.call('POST', '/api/tenants', {
      token: ctx.provider,
      body: { slug: 'gone', name: 'New' },
    });
    assert.is(again.status, 201);
  });

  removal.run();
}
