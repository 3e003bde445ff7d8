import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { databaseKinds } from './db-harness.js';
import { type PortalHost, startPortalHost } from './support/portal-host.js';

const OLD = 'sam-Old-Secret-91';
const NEW = 'violet Harbour 7 lanterns';

const [kind] = await databaseKinds();
const test = suite<{ p: PortalHost }>(`portal: the Password page (${kind})`);

test.before(async (ctx) => {
  ctx.p = await startPortalHost(kind);
  await ctx.p.t.host.services().repos.adminUsers.create(ctx.p.tenantId, {
    username: 'sam',
    password: OLD,
    role: 'supervisor',
  });
});
test.after(async (ctx) => ctx.p.stop());

const change = (p: PortalHost, cookie: string, fields: Record<string, string>) =>
  p.fetch('/account/password', { method: 'POST', cookie, body: new URLSearchParams(fields) });

test('a supervisor finds the page in the navigation', async ({ p }) => {
  const cookie = await p.signIn('sam', OLD);
  const calls = await (await p.fetch('/calls', { cookie })).text();
  assert.match(calls, /<a href="\/account\/password"[^>]*>Password<\/a>/);
  const page = await p.fetch('/account/password', { cookie });
  assert.is(page.status, 200);
  const html = await page.text();
  assert.match(html, /autocomplete="current-password"/);
  assert.match(html, /aria-current="page"[^>]*>Password</);
});

test('refusals name the problem and change nothing', async ({ p }) => {
  const cookie = await p.signIn('sam', OLD);
  const differ = await change(p, cookie, {
    currentPassword: OLD,
    newPassword: NEW,
    repeatPassword: `${NEW}x`,
  });
  assert.is(differ.status, 400);
  assert.match(await differ.text(), /The two new passwords differ/);

  const wrong = await change(p, cookie, {
    currentPassword: 'not-it-at-all',
    newPassword: NEW,
    repeatPassword: NEW,
  });
  assert.is(wrong.status, 403);
  assert.match(await wrong.text(), /The current password is wrong/);

  const weak = await change(p, cookie, {
    currentPassword: OLD,
    newPassword: 'password1234',
    repeatPassword: 'password1234',
  });
  assert.is(weak.status, 400);
  const html = await weak.text();
  assert.match(html, /newPassword: /);
  assert.match(html, /id="newPassword"[^>]*aria-invalid="true"/);

  await p.signIn('sam', OLD); // still the old password
});

test('a good password is set, other sessions end, and only the new one signs in', async ({ p }) => {
  const here = await p.signIn('sam', OLD);
  const there = await p.signIn('sam', OLD);
  const done = await change(p, here, { currentPassword: OLD, newPassword: NEW, repeatPassword: NEW });
  assert.is(done.status, 200);
  assert.match(await done.text(), /Password changed/);
  assert.is((await p.fetch('/calls', { cookie: there })).status, 303, 'the other session is signed out');
  assert.is((await p.fetch('/calls', { cookie: here })).status, 200, 'this one goes on');
  await p.signIn('sam', NEW);
  const old = await p.fetch('/login', {
    method: 'POST',
    body: new URLSearchParams({ username: 'sam', password: OLD, next: '/calls' }),
  });
  assert.is(old.status, 401);
  const audit = await p.t.host.services().repos.audit.list(p.tenantId, 20);
  assert.ok(
    audit.some((a: { action: string }) => a.action === 'auth.password-change'),
    'the change is audited',
  );
});

test.run();
