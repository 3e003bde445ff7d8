import { ScreenRecordingSettingsSchema } from '@deskrec/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HOST_TOKENS } from '../src/tokens.js';
import { addTenant, RecordingAgentChannel, startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost; admin: string; channel: RecordingAgentChannel }>(
    `api: settings (${kind})`,
  );

  test.before(async (ctx) => {
    ctx.channel = new RecordingAgentChannel();
    // The API talks to this channel instead of the controller.
    ctx.t = await startTestHost(kind, '', (c) =>
      c.register(HOST_TOKENS.ControllerHooks, { useValue: { channel: ctx.channel } }),
    );
    ctx.admin = await ctx.t.login();
  });
  test.after(async (ctx) => ctx.t.stop());

  test('GET returns every field with its default', async (ctx) => {
    const res = await ctx.t.call('GET', '/api/settings', { token: ctx.admin });
    assert.is(res.status, 200);
    assert.equal(res.body, ScreenRecordingSettingsSchema.parse({}));
  });

  test('PUT saves, fills omitted fields with defaults and pushes to agents', async (ctx) => {
    const res = await ctx.t.call('PUT', '/api/settings', {
      token: ctx.admin,
      body: { fps: 2, wrapUpSeconds: 60, multiMonitor: 'all', storageHostUrl: 'https://rec.example.com' },
    });
    assert.is(res.status, 200);
    assert.is(res.body.fps, 2);
    assert.is(res.body.maxWidth, 1920);
    const tenantId = (await ctx.t.call('GET', '/api/auth/me', { token: ctx.admin })).body.tenantId;
    assert.equal(ctx.channel.settingsPushes, [tenantId]);
    assert.is((await ctx.t.call('GET', '/api/settings', { token: ctx.admin })).body.wrapUpSeconds, 60);
    const { directory } = ctx.t.host.services().repos;
    assert.equal((await directory.captureSettings(tenantId)).uploadUrl, 'https://rec.example.com');
  });

  test('bounds and types are enforced per field', async (ctx) => {
    for (const [body, field] of [
      [{ fps: 100 }, 'fps'],
      [{ fps: 'fast' }, 'fps'],
      [{ maxWidth: 10 }, 'maxWidth'],
      [{ wrapUpSeconds: -1 }, 'wrapUpSeconds'],
      [{ multiMonitor: 'some' }, 'multiMonitor'],
      [{ storageHostUrl: 'ftp://x' }, 'storageHostUrl'],
      [{ fileNameFormat: '%{nope}' }, 'fileNameFormat'],
      [{ tcpPort: 1 }, 'tcpPort'],
      [{ storageTargetId: 'no-such-target' }, 'storageTargetId'],
    ] as const) {
      const res = await ctx.t.call('PUT', '/api/settings', { token: ctx.admin, body });
      assert.is(res.status, 400, JSON.stringify(body));
      assert.is(res.body.error.field, field, JSON.stringify(body));
    }
    assert.is(ctx.channel.settingsPushes.length, 1, 'nothing pushed for refused changes');
  });

  test('another tenant’s storage target cannot be chosen; settings are per tenant', async (ctx) => {
    const other = await addTenant(ctx.t, 'settings-other');
    const target = await ctx.t.call('POST', '/api/storage-targets', {
      token: other.bearer,
      body: { name: 'Theirs', kind: 'local', options: { root: `${ctx.t.dataDir}/theirs` } },
    });
    assert.is(target.status, 201);
    const res = await ctx.t.call('PUT', '/api/settings', {
      token: ctx.admin,
      body: { storageTargetId: target.body.id },
    });
    assert.is(res.status, 400);
    assert.is(res.body.error.field, 'storageTargetId');
    assert.is((await ctx.t.call('GET', '/api/settings', { token: other.bearer })).body.fps, 5);
    const ok = await ctx.t.call('PUT', '/api/settings', {
      token: other.bearer,
      body: { storageTargetId: target.body.id },
    });
    assert.is(ok.status, 200);
    const del = await ctx.t.call('DELETE', `/api/storage-targets/${target.body.id}`, { token: other.bearer });
    assert.is(del.status, 409, 'a target in use is not deleted');
  });

  test.run();
}
