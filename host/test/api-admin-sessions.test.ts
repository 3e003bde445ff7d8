import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addTenant, startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost }>(`api: an admin's own sessions, listed and revoked (${kind})`);

  test.before(async (ctx) => {
    ctx.t = await startTestHost(kind);
  });
  test.after(async (ctx) => ctx.t.stop());

  const signIn = async (t: TestHost, agent: string) => {
    const res = await t.call('POST', '/api/auth/login', {
      body: { username: 'admin', password: t.credentials.password, bearer: true },
      headers: { 'user-agent': agent },
    });
    assert.is(res.status, 200);
    return res.body.token as string;
  };

  test('lists each session with when, where and which browser, marking the current one', async (ctx) => {
    const laptop = await signIn(ctx.t, 'Laptop Browser/1.0');
    const phone = await signIn(ctx.t, 'Phone Browser/2.0');
    const res = await ctx.t.call('GET', '/api/auth/sessions', { token: laptop });
    assert.is(res.status, 200);
    const mine = res.body.items.filter((s: { userAgent: string }) => /Browser/.test(s.userAgent ?? ''));
    assert.is(mine.length, 2);
    const current = mine.find((s: { current: boolean }) => s.current);
    assert.is(current.userAgent, 'Laptop Browser/1.0');
    assert.is(current.ip, '127.0.0.1');
    assert.ok(Date.parse(current.createdAt) > 0 && Date.parse(current.lastUsedAt) > 0);
    assert.ok(Date.parse(current.expiresAt) > Date.parse(current.createdAt));
    assert.match(current.id, /^[0-9a-f]{32}$/);
    const other = mine.find((s: { current: boolean }) => !s.current);
    assert.is(other.userAgent, 'Phone Browser/2.0');
    assert.not.ok(JSON.stringify(res.body).includes(phone), 'no session token is shown');
  });

  test('a revoked session stops working at once', async (ctx) => {
    const keep = await signIn(ctx.t, 'Keeper/1.0');
    const lost = await signIn(ctx.t, 'Lost Laptop/1.0');
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token: lost })).status, 200);
    const list = await ctx.t.call('GET', '/api/auth/sessions', { token: keep });
    const target = list.body.items.find((s: { userAgent: string }) => s.userAgent === 'Lost Laptop/1.0');
    const revoke = await ctx.t.call('DELETE', `/api/auth/sessions/${target.id}`, { token: keep });
    assert.is(revoke.status, 204);
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token: lost })).status, 401);
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token: keep })).status, 200);
    const again = await ctx.t.call('DELETE', `/api/auth/sessions/${target.id}`, { token: keep });
    assert.is(again.status, 404);
    const bad = await ctx.t.call('DELETE', '/api/auth/sessions/%01', { token: keep });
    assert.is(bad.status, 400);
    assert.match(bad.body.error.message, /id: control characters are not allowed/);
    const { repos } = ctx.t.host.services();
    const tenant = await repos.tenants.bySlug('default');
    const audit = await repos.audit.list(tenant!.id, 20);
    assert.ok(audit.some((e: { action: string }) => e.action === 'auth.session-revoked'));
  });

  test('revoking all others keeps only the current session', async (ctx) => {
    const here = await signIn(ctx.t, 'Here/1.0');
    const others = [await signIn(ctx.t, 'Other/1.0'), await signIn(ctx.t, 'Other/2.0')];
    const res = await ctx.t.call('POST', '/api/auth/sessions/revoke-others', { token: here });
    assert.is(res.status, 200);
    assert.ok(res.body.revoked >= 2);
    for (const token of others) assert.is((await ctx.t.call('GET', '/api/auth/me', { token })).status, 401);
    const list = await ctx.t.call('GET', '/api/auth/sessions', { token: here });
    assert.is(list.body.items.length, 1);
    assert.is(list.body.items[0].current, true);
  });

  test("another tenant's admin cannot see or revoke these sessions", async (ctx) => {
    const mine = await signIn(ctx.t, 'Mine/1.0');
    const { bearer } = await addTenant(ctx.t, 'rival');
    const list = await ctx.t.call('GET', '/api/auth/sessions', { token: mine });
    const theirs = await ctx.t.call('GET', '/api/auth/sessions', { token: bearer });
    assert.is(theirs.body.items.length, 1, 'only their own session');
    for (const s of list.body.items) {
      const res = await ctx.t.call('DELETE', `/api/auth/sessions/${s.id}`, { token: bearer });
      assert.is(res.status, 404);
    }
    assert.is((await ctx.t.call('GET', '/api/auth/me', { token: mine })).status, 200);
  });

  test.run();
}
