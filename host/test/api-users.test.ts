import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addTenant, startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost; admin: string; other: { bearer: string } }>(`api: users (${kind})`);

  test.before(async (ctx) => {
    ctx.t = await startTestHost(kind);
    ctx.admin = await ctx.t.login();
    ctx.other = await addTenant(ctx.t, 'other');
  });
  test.after(async (ctx) => ctx.t.stop());

  const user = (over: Record<string, unknown> = {}) => ({
    name: 'Alice',
    screenRecordingLogin: 'CORP\\alice',
    seatLicence: true,
    extensions: ['101'],
    ...over,
  });

  test('create, read, list, update, delete', async (ctx) => {
    const created = await ctx.t.call('POST', '/api/users', { token: ctx.admin, body: user() });
    assert.is(created.status, 201);
    assert.is(created.body.screenRecordingLogin, 'CORP\\alice');
    assert.equal(created.body.extensions, ['101']);
    assert.is(created.body.externalId, null);
    const id = created.body.id;
    assert.is((await ctx.t.call('GET', `/api/users/${id}`, { token: ctx.admin })).body.name, 'Alice');
    const listed = await ctx.t.call('GET', '/api/users?search=ALI', { token: ctx.admin });
    assert.is(listed.body.items.length, 1);
    const updated = await ctx.t.call('PUT', `/api/users/${id}`, {
      token: ctx.admin,
      body: user({ name: 'Alice B', extensions: ['101', '102'], seatLicence: false }),
    });
    assert.is(updated.status, 200);
    assert.equal(updated.body.extensions, ['101', '102']);
    assert.is(updated.body.seatLicence, false);
    assert.is((await ctx.t.call('DELETE', `/api/users/${id}`, { token: ctx.admin })).status, 204);
    assert.is((await ctx.t.call('GET', `/api/users/${id}`, { token: ctx.admin })).status, 404);
  });

  test('screen-recording login: DOMAIN\\login, NETBIOS\\login and login accepted; others refused', async (ctx) => {
    for (const login of ['contoso.com\\bob', 'CONTOSO\\carol', 'dave']) {
      const res = await ctx.t.call('POST', '/api/users', {
        token: ctx.admin,
        body: user({ name: login, screenRecordingLogin: login, extensions: [] }),
      });
      assert.is(res.status, 201, login);
    }
    for (const login of ['a\\b\\c', 'with space', 'dom/user', '', '\\x']) {
      const res = await ctx.t.call('POST', '/api/users', {
        token: ctx.admin,
        body: user({ screenRecordingLogin: login, extensions: [] }),
      });
      assert.is(res.status, 400, JSON.stringify(login));
      assert.is(res.body.error.field, 'screenRecordingLogin');
    }
  });

  test('logins are unique per tenant regardless of case; extensions too', async (ctx) => {
    assert.is(
      (await ctx.t.call('POST', '/api/users', { token: ctx.admin, body: user({ extensions: ['200'] }) }))
        .status,
      201,
    );
    const login = await ctx.t.call('POST', '/api/users', {
      token: ctx.admin,
      body: user({ screenRecordingLogin: 'corp\\ALICE', extensions: [] }),
    });
    assert.is(login.status, 409);
    assert.is(login.body.error.field, 'screenRecordingLogin');
    const ext = await ctx.t.call('POST', '/api/users', {
      token: ctx.admin,
      body: user({ screenRecordingLogin: 'erin', extensions: ['200'] }),
    });
    assert.is(ext.status, 409);
    assert.is(ext.body.error.field, 'extensions');
    const twice = await ctx.t.call('POST', '/api/users', {
      token: ctx.admin,
      body: user({ screenRecordingLogin: 'frank', extensions: ['300', '300'] }),
    });
    assert.is(twice.status, 400);
    // The other tenant may use the same login and extension.
    const other = await ctx.t.call('POST', '/api/users', {
      token: ctx.other.bearer,
      body: user({ extensions: ['200'] }),
    });
    assert.is(other.status, 201);
  });

  test('another tenant’s user is 404 for read, update and delete, and never listed', async (ctx) => {
    const mine = await ctx.t.call('POST', '/api/users', {
      token: ctx.admin,
      body: user({ name: 'Secret Sam', screenRecordingLogin: 'sam', extensions: [] }),
    });
    const id = mine.body.id;
    const o = ctx.other.bearer;
    for (const [method, body] of [
      ['GET'],
      ['PUT', user({ screenRecordingLogin: 'x', extensions: [] })],
      ['DELETE'],
    ] as const) {
      const res = await ctx.t.call(method, `/api/users/${id}`, { token: o, ...(body ? { body } : {}) });
      assert.is(res.status, 404, method);
      assert.equal(res.body, { error: { code: 'not-found', message: 'User not found' } });
    }
    const list = await ctx.t.call('GET', '/api/users', { token: o });
    assert.not.ok(JSON.stringify(list.body).includes('Secret Sam'));
    assert.is((await ctx.t.call('GET', `/api/users/${id}`, { token: ctx.admin })).status, 200, 'still there');
  });

  test('missing and wrongly typed fields name the field', async (ctx) => {
    const missing = await ctx.t.call('POST', '/api/users', { token: ctx.admin, body: { seatLicence: true } });
    assert.is(missing.status, 400);
    assert.is(missing.body.error.code, 'invalid');
    assert.is(missing.body.error.field, 'name');
    const wrong = await ctx.t.call('POST', '/api/users', {
      token: ctx.admin,
      body: user({ seatLicence: 'yes' }),
    });
    assert.is(wrong.body.error.field, 'seatLicence');
    const extra = await ctx.t.call('POST', '/api/users', { token: ctx.admin, body: user({ isAdmin: true }) });
    assert.is(extra.status, 400);
    assert.is(extra.body.error.field, 'isAdmin');
    const badExt = await ctx.t.call('POST', '/api/users', {
      token: ctx.admin,
      body: user({ extensions: ['1 2'] }),
    });
    assert.is(badExt.body.error.field, 'extensions.0');
  });

  test.run();
}
