import { Secret, TOTP } from 'otpauth';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { databaseKinds } from './db-harness.js';
import { type PortalHost, startPortalHost } from './support/portal-host.js';

const codeOf = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

const [kind] = await databaseKinds();
const test = suite<{ p: PortalHost }>(`portal: the Security page (${kind})`);

test.before(async (ctx) => {
  ctx.p = await startPortalHost(kind);
  await ctx.p.t.host.services().repos.adminUsers.create(ctx.p.tenantId, {
    username: 'erin',
    password: 'erin-Secret-Pass-42',
    role: 'admin',
  });
});
test.after(async (ctx) => ctx.p.stop());

test('lists the sessions and revokes another one, which stops working at once', async ({ p }) => {
  const here = await p.signIn('erin', 'erin-Secret-Pass-42');
  const there = await p.signIn('erin', 'erin-Secret-Pass-42');
  const page = await p.fetch('/admin/security', {
    cookie: here,
    headers: { 'user-agent': 'Test Browser/9' },
  });
  assert.is(page.status, 200);
  const html = await page.text();
  assert.match(html, /this session/);
  assert.match(html, /127\.0\.0\.1/);
  const ids = [...html.matchAll(/action="\/admin\/security\/sessions\/([0-9a-f]{32})\/revoke"/g)].map(
    (m) => m[1],
  );
  assert.is(ids.length, 2);
  const all = await p.fetch('/admin/security/sessions/revoke-others', { method: 'POST', cookie: here });
  assert.is(all.status, 303);
  assert.is((await p.fetch('/admin/security', { cookie: there })).status, 303, 'the other one is signed out');
  assert.is((await p.fetch('/admin/security', { cookie: here })).status, 200);
});

test('enrols an authenticator app, then signing in asks for its code', async ({ p }) => {
  const cookie = await p.signIn('erin', 'erin-Secret-Pass-42');
  const enrol = await p.fetch('/admin/security/second-factor/enrol', {
    method: 'POST',
    cookie,
    body: new URLSearchParams({ password: 'erin-Secret-Pass-42' }),
  });
  assert.is(enrol.status, 200);
  const html = await enrol.text();
  assert.match(html, /<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
  const secret = /Key: <code>([A-Z2-7]{32})<\/code>/.exec(html)?.[1];
  assert.ok(secret, 'the key is shown for typing in');
  const confirm = await p.fetch('/admin/security/second-factor/confirm', {
    method: 'POST',
    cookie,
    body: new URLSearchParams({ code: codeOf(secret!) }),
  });
  assert.is(confirm.status, 200);
  const codes = [...(await confirm.text()).matchAll(/<code>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})<\/code>/g)];
  assert.is(codes.length, 10, 'ten recovery codes, shown once');

  const password = await p.fetch('/login', {
    method: 'POST',
    body: new URLSearchParams({ username: 'erin', password: 'erin-Secret-Pass-42', next: '/admin/security' }),
  });
  assert.is(password.status, 200, 'the code form, not yet a session');
  assert.is(password.headers.getSetCookie().length, 0);
  const step = await password.text();
  const challenge = /name="challenge" value="([0-9a-f]{64})"/.exec(step)?.[1];
  assert.ok(challenge);
  const wrong = await p.fetch('/login', {
    method: 'POST',
    body: new URLSearchParams({ challenge: challenge!, code: '000000', next: '/admin/security' }),
  });
  assert.is(wrong.status, 401);
  assert.match(await wrong.text(), /That code is wrong, expired or used already/);
  const done = await p.fetch('/login', {
    method: 'POST',
    body: new URLSearchParams({ challenge: challenge!, code: codeOf(secret!, 1), next: '/admin/security' }),
  });
  assert.is(done.status, 303);
  assert.is(done.headers.get('location'), '/admin/security');
  const session = done.headers.getSetCookie().find((c) => c.startsWith('deskrec_session='));
  assert.ok(session);
  const security = await p.fetch('/admin/security', { cookie: session!.split(';')[0]! });
  assert.match(await security.text(), /recovery codes left/);
});

test.run();
