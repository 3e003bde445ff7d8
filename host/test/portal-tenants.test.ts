import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TENANT_ADMIN_PASSWORD } from './api-harness.js';
import { databaseKinds } from './db-harness.js';
import { type PortalHost, startPortalHost } from './support/portal-host.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

for (const kind of await databaseKinds()) {
  const test = suite<{ p: PortalHost; provider: string }>(`portal: tenants page (${kind})`);

  test.before(async (ctx) => {
    ctx.p = await startPortalHost(kind);
    ctx.provider = await ctx.p.signIn();
  });
  test.after(async (ctx) => ctx.p.stop());

  test('the provider admin lists tenants and creates one; its token is shown once', async ({
    p,
    provider,
  }) => {
    const page = await p.fetch('/admin/tenants', { cookie: provider });
    assert.is(page.status, 200);
    const html = await page.text();
    assert.match(html, /<a href="\/admin\/tenants" aria-current="page">Tenants<\/a>/);
    assert.match(html, /<td>default<\/td>/);
    const created = await p.fetch('/admin/tenants', {
      method: 'POST',
      cookie: provider,
      body: form({ slug: 'north', name: 'North Ltd', username: 'nadmin', password: TENANT_ADMIN_PASSWORD }),
    });
    assert.is(created.status, 200);
    const shown = await created.text();
    const token = /<code class="token">([0-9a-f]{32})<\/code>/.exec(shown)?.[1];
    assert.ok(token, 'the token is on the page');
    assert.match(shown, /<td>North Ltd<\/td>/);
    assert.ok(await p.t.host.services().repos.directory.findTenantByToken(token!));
    const again = await (await p.fetch('/admin/tenants', { cookie: provider })).text();
    assert.not.ok(again.includes(token!), 'shown once only');
  });

  test('form errors are shown next to the field; a duplicate slug answers 409', async ({ p, provider }) => {
    const bad = await p.fetch('/admin/tenants', {
      method: 'POST',
      cookie: provider,
      body: form({ slug: 'Bad Slug', name: 'x' }),
    });
    assert.is(bad.status, 400);
    assert.match(await bad.text(), /id="t-slug-error"[^>]*>[^<]*lower-case letters/);
    const dup = await p.fetch('/admin/tenants', {
      method: 'POST',
      cookie: provider,
      body: form({ slug: 'north', name: 'Again' }),
    });
    assert.is(dup.status, 409);
    assert.match(await dup.text(), /exists already/);
  });

  test('the switcher acts inside a tenant until switched back; suspend works from the page', async ({
    p,
    provider,
  }) => {
    const north = await p.t.host.services().repos.tenants.bySlug('north');
    const switched = await p.fetch('/admin/tenant-switch', {
      method: 'POST',
      cookie: provider,
      body: form({ slug: 'north' }),
    });
    assert.is(switched.status, 303);
    const tenantCookie = switched.headers.getSetCookie().find((c) => c.startsWith('deskrec_tenant='));
    assert.match(tenantCookie ?? '', /HttpOnly/);
    const both = `${provider}; ${tenantCookie!.split(';')[0]}`;
    const users = await (await p.fetch('/admin/settings/token', { cookie: both })).text();
    assert.match(users, /Acting in tenant <strong>north<\/strong>/);
    const suspend = await p.fetch(`/admin/tenants/${north!.id}/suspend`, { method: 'POST', cookie: both });
    assert.is(suspend.status, 303);
    assert.is((await p.t.host.services().repos.tenants.get(north!.id))?.state, 'suspended');
    const own = await (await p.fetch('/admin/tenants', { cookie: provider })).text();
    assert.not.match(own, /Acting in tenant/);
    assert.match(own, /<span class="badge warn"[^>]*>suspended<\/span>/);
  });

  test('a tenant admin gets 403 on the tenants page and the switcher', async ({ p }) => {
    await p.t.host.services().repos.adminUsers.create(p.tenantId, {
      username: 'plain',
      password: TENANT_ADMIN_PASSWORD,
      role: 'admin',
    });
    const plain = await p.signIn('plain', TENANT_ADMIN_PASSWORD);
    assert.is((await p.fetch('/admin/tenants', { cookie: plain })).status, 403);
    const sw = await p.fetch('/admin/tenant-switch', {
      method: 'POST',
      cookie: plain,
      body: form({ slug: 'north' }),
    });
    assert.is(sw.status, 403);
    const nav = await (await p.fetch('/admin/users', { cookie: plain })).text();
    assert.not.match(nav, /href="\/admin\/tenants"/);
  });

  test.run();
}
