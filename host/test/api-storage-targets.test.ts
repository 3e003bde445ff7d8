import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addTenant, startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost; admin: string }>(`api: storage targets (${kind})`);

  test.before(async (ctx) => {
    ctx.t = await startTestHost(kind);
    ctx.admin = await ctx.t.login();
  });
  test.after(async (ctx) => ctx.t.stop());

  test('kinds: the configured plugins with their option schemas', async (ctx) => {
    const res = await ctx.t.call('GET', '/api/storage-kinds', { token: ctx.admin });
    assert.is(res.status, 200);
    assert.equal(
      res.body.items.map((k: { kind: string }) => k.kind),
      ['local', 'ftp'],
    );
    const ftp = res.body.items[1];
    assert.equal(ftp.secrets, ['password']);
    assert.ok(ftp.optionsSchema.properties.host);
  });

  test('create a local target and test it: the plugin writes and deletes a probe', async (ctx) => {
    const created = await ctx.t.call('POST', '/api/storage-targets', {
      token: ctx.admin,
      body: { name: 'Disk', kind: 'local', options: { root: `${ctx.t.dataDir}/recordings` } },
    });
    assert.is(created.status, 201);
    const check = await ctx.t.call('POST', `/api/storage-targets/${created.body.id}/test`, {
      token: ctx.admin,
    });
    assert.is(check.status, 200);
    assert.is(check.body.ok, true, check.body.message);
    const dup = await ctx.t.call('POST', '/api/storage-targets', {
      token: ctx.admin,
      body: { name: 'Disk', kind: 'local', options: { root: `${ctx.t.dataDir}/other` } },
    });
    assert.is(dup.status, 409);
    assert.is(dup.body.error.field, 'name');
  });

  test('a target that cannot work reports ok: false with a reason', async (ctx) => {
    const blocker = `${ctx.t.dataDir}/a-file`;
    await writeFile(blocker, 'not a folder');
    const created = await ctx.t.call('POST', '/api/storage-targets', {
      token: ctx.admin,
      body: { name: 'Broken', kind: 'local', options: { root: `${blocker}/sub` } },
    });
    const check = await ctx.t.call('POST', `/api/storage-targets/${created.body.id}/test`, {
      token: ctx.admin,
    });
    assert.is(check.status, 200);
    assert.is(check.body.ok, false);
    assert.ok(check.body.message.length > 0);
  });

  test('secrets are redacted in answers and kept when omitted or sent back redacted', async (ctx) => {
    const port = await closedPort();
    const created = await ctx.t.call('POST', '/api/storage-targets', {
      token: ctx.admin,
      body: {
        name: 'FTP',
        kind: 'ftp',
        options: { host: '127.0.0.1', port, user: 'rec', password: 'hunter2-secret' },
      },
    });
    assert.is(created.status, 201);
    assert.is(created.body.options.password, '********');
    const id = created.body.id;
    const listed = await ctx.t.call('GET', '/api/storage-targets', { token: ctx.admin });
    assert.not.ok(JSON.stringify(listed.body).includes('hunter2'));
    const tenantId = (await ctx.t.call('GET', '/api/auth/me', { token: ctx.admin })).body.tenantId;
    const repo = ctx.t.host.services().repos.storageTargets;
    for (const password of ['********', undefined]) {
      const options: Record<string, unknown> = { host: '127.0.0.1', port, user: 'rec2' };
      if (password) options.password = password;
      const res = await ctx.t.call('PUT', `/api/storage-targets/${id}`, {
        token: ctx.admin,
        body: { name: 'FTP', options },
      });
      assert.is(res.status, 200);
      assert.is((await repo.get(tenantId, id))?.options.password, 'hunter2-secret');
      assert.is((await repo.get(tenantId, id))?.options.user, 'rec2');
    }
    await ctx.t.call('PUT', `/api/storage-targets/${id}`, {
      token: ctx.admin,
      body: { name: 'FTP', options: { host: '127.0.0.1', port, user: 'rec', password: 'new-secret' } },
    });
    assert.is((await repo.get(tenantId, id))?.options.password, 'new-secret');
    const check = await ctx.t.call('POST', `/api/storage-targets/${id}/test`, { token: ctx.admin });
    assert.is(check.body.ok, false, 'nothing listens there');
    assert.not.ok(check.body.message.includes('new-secret'), 'the secret is not echoed');
  });

  test('options are validated by the kind’s schema; errors name the option', async (ctx) => {
    const missing = await ctx.t.call('POST', '/api/storage-targets', {
      token: ctx.admin,
      body: { name: 'X', kind: 'local', options: {} },
    });
    assert.is(missing.status, 400);
    assert.is(missing.body.error.code, 'invalid-options');
    assert.is(missing.body.error.field, 'options.root');
    assert.match(missing.body.error.message, 'options.root');
    const wrongType = await ctx.t.call('POST', '/api/storage-targets', {
      token: ctx.admin,
      body: { name: 'Y', kind: 'ftp', options: { host: 'h', user: 'u', port: 'twenty-one' } },
    });
    assert.is(wrongType.body.error.field, 'options.port');
    const kind = await ctx.t.call('POST', '/api/storage-targets', {
      token: ctx.admin,
      body: { name: 'Z', kind: 's3', options: {} },
    });
    assert.is(kind.status, 400);
    assert.is(kind.body.error.field, 'kind');
    assert.match(kind.body.error.message, 'local, ftp');
  });

  test('another tenant’s target: 404 everywhere', async (ctx) => {
    const other = await addTenant(ctx.t, 'storage-other');
    const mine = (await ctx.t.call('GET', '/api/storage-targets', { token: ctx.admin })).body.items[0].id;
    for (const [method, path, body] of [
      ['GET', `/api/storage-targets/${mine}`],
      ['PUT', `/api/storage-targets/${mine}`, { name: 'Stolen', options: { root: '/tmp/x' } }],
      ['DELETE', `/api/storage-targets/${mine}`],
      ['POST', `/api/storage-targets/${mine}/test`],
    ] as const) {
      const res = await ctx.t.call(method, path, { token: other.bearer, ...(body ? { body } : {}) });
      assert.is(res.status, 404, `${method} ${path}`);
    }
    assert.equal((await ctx.t.call('GET', '/api/storage-targets', { token: other.bearer })).body.items, []);
    assert.is((await ctx.t.call('DELETE', `/api/storage-targets/${mine}`, { token: ctx.admin })).status, 204);
  });

  test.run();
}
