import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

const [kind] = await databaseKinds();
const test = suite<{ t: TestHost; admin: string }>(`api: security headers and JSON-only bodies (${kind})`);

test.before(async (ctx) => {
  ctx.t = await startTestHost(kind!);
  ctx.admin = await ctx.t.login();
});
test.after(async (ctx) => ctx.t.stop());

function assertSecure(headers: Headers, what: string) {
  assert.is(headers.get('x-content-type-options'), 'nosniff', `${what}: x-content-type-options`);
  assert.ok(headers.get('referrer-policy'), `${what}: referrer-policy`);
  assert.ok(headers.get('x-frame-options'), `${what}: x-frame-options`);
}

test('every kind of answer carries the secure headers', async (ctx) => {
  const answers: [string, Response][] = [
    [
      'api json',
      await fetch(`${ctx.t.url}/api/auth/me`, { headers: { authorization: `Bearer ${ctx.admin}` } }),
    ],
    ['api error', await fetch(`${ctx.t.url}/api/auth/me`)],
    ['api not found', await fetch(`${ctx.t.url}/api/nothing-here`)],
    ['health', await fetch(`${ctx.t.url}/api/health`)],
    ['metrics', await fetch(`${ctx.t.url}/metrics`)],
    ['openapi', await fetch(`${ctx.t.url}/api/openapi.json`)],
    ['login page', await fetch(`${ctx.t.url}/login`)],
    ['webhook', await fetch(`${ctx.t.url}/hooks/none`, { method: 'POST' })],
    ['upload', await fetch(`${ctx.t.url}/api/uploads`, { method: 'OPTIONS' })],
  ];
  for (const [what, res] of answers) {
    await res.arrayBuffer();
    assertSecure(res.headers, what);
  }
  const page = await fetch(`${ctx.t.url}/login`);
  const html = await page.text();
  const asset = /href="(\/portal\/assets\/[^"]+\.css)"/.exec(html)?.[1];
  assert.ok(asset, 'the login page links its stylesheet');
  const css = await fetch(`${ctx.t.url}${asset}`);
  await css.arrayBuffer();
  assertSecure(css.headers, 'static asset');
});

test('the portal keeps its own CSP and framing rule', async (ctx) => {
  const res = await fetch(`${ctx.t.url}/login`);
  await res.text();
  assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.is(res.headers.get('x-frame-options'), 'DENY');
});

test('API answers are not cached', async (ctx) => {
  for (const path of ['/api/auth/me', '/api/workstations', '/api/nothing-here']) {
    const res = await ctx.t.call('GET', path, { token: ctx.admin });
    assert.is(res.headers.get('cache-control'), 'no-store', path);
  }
  const login = await ctx.t.call('POST', '/api/auth/login', {
    body: { username: 'admin', password: 'wrong' },
  });
  assert.is(login.headers.get('cache-control'), 'no-store', 'a failed sign-in');
});

test('a JSON route refuses a text/plain body with 415 and changes nothing', async (ctx) => {
  const before = await ctx.t.call('GET', '/api/users', { token: ctx.admin });
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    const res = await ctx.t.call('POST', '/api/users', {
      token: ctx.admin,
      raw: JSON.stringify({ name: 'Plain Text' }),
      headers: { 'content-type': type },
    });
    assert.is(res.status, 415, type);
    assert.is(res.body.error.code, 'unsupported-media-type');
    assert.match(res.body.error.message, /application\/json/);
  }
  const noType = await ctx.t.call('POST', '/api/users', {
    token: ctx.admin,
    raw: new Blob([JSON.stringify({ name: 'No Type' })]),
  });
  assert.is(noType.status, 415, 'a body without a content type');
  const after = await ctx.t.call('GET', '/api/users', { token: ctx.admin });
  assert.equal(after.body, before.body);
});

test('a body-less state-changing route refuses a text/plain body too (a cross-site form can send one)', async (ctx) => {
  const before = await ctx.t.call('GET', '/api/tenant/token', { token: ctx.admin });
  const res = await ctx.t.call('POST', '/api/tenant/token/reset', {
    token: ctx.admin,
    raw: 'anything',
    headers: { 'content-type': 'text/plain' },
  });
  assert.is(res.status, 415);
  assert.is(res.body.error.code, 'unsupported-media-type');
  const after = await ctx.t.call('GET', '/api/tenant/token', { token: ctx.admin });
  assert.equal(after.body, before.body, 'the token was not reset');
});

test('JSON with a charset and body-less posts still work', async (ctx) => {
  const res = await ctx.t.call('POST', '/api/auth/login', {
    raw: JSON.stringify({ username: 'admin', password: ctx.t.credentials.password, bearer: true }),
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
  assert.is(res.status, 200);
  const out = await ctx.t.call('POST', '/api/auth/logout', { token: res.body.token });
  assert.is(out.status, 204);
});

test.run();
