import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HOST_TOKENS } from '../src/tokens.js';
import { addTenant, RecordingAgentChannel, startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';

for (const kind of await databaseKinds()) {
  const test = suite<{ t: TestHost; admin: string; tenantId: string; channel: RecordingAgentChannel }>(
    `api: workstations (${kind})`,
  );

  test.before(async (ctx) => {
    ctx.channel = new RecordingAgentChannel();
    // The API talks to this channel instead of the controller.
    ctx.t = await startTestHost(kind, '', (c) =>
      c.register(HOST_TOKENS.ControllerHooks, { useValue: { channel: ctx.channel } }),
    );
    ctx.admin = await ctx.t.login();
    ctx.tenantId = (await ctx.t.call('GET', '/api/auth/me', { token: ctx.admin })).body.tenantId;
    const dir = ctx.t.host.services().repos.directory;
    // As the controller records them when agents connect.
    for (const [id, name, domain, ip] of [
      ['w1', 'PC-SALES-01', 'CONTOSO', '10.1.0.11'],
      ['w2', 'PC-SALES-02', 'CONTOSO', '10.1.0.12'],
      ['w3', 'KIOSK', 'FABRIKAM', '192.168.7.3'],
    ] as const) {
      await dir.createPending({
        tenantId: ctx.tenantId,
        workstationId: id,
        secretHash: 'x',
        state: 'pending',
        computerName: name,
        domain,
      });
      await dir.recordConnected({
        tenantId: ctx.tenantId,
        workstationId: id,
        computerName: name,
        domain,
        os: { platform: 'win32', release: '10' },
        agentVersion: '0.1.0',
        monitors: [],
        login: null,
        remoteAddress: ip,
        at: new Date(),
      });
    }
  });
  test.after(async (ctx) => ctx.t.stop());

  test('list, filter by state, search by domain, computer name or IP', async (ctx) => {
    const all = await ctx.t.call('GET', '/api/workstations', { token: ctx.admin });
    assert.is(all.status, 200);
    assert.is(all.body.total, 3);
    assert.is(all.body.items[0].state, 'pending');
    const search = async (q: string) =>
      (await ctx.t.call('GET', `/api/workstations?search=${encodeURIComponent(q)}`, { token: ctx.admin }))
        .body.total;
    assert.is(await search('contoso'), 2);
    assert.is(await search('kiosk'), 1);
    assert.is(await search('192.168.'), 1);
    assert.is(await search('%'), 0, 'LIKE wildcards are literal');
    const page = await ctx.t.call('GET', '/api/workstations?limit=1&offset=1', { token: ctx.admin });
    assert.is(page.body.items.length, 1);
    assert.is(page.body.total, 3);
  });

  test('bulk authorize, forbid, delete; each change is pushed to the agent', async (ctx) => {
    const auth = await ctx.t.call('POST', '/api/workstations/authorize', {
      token: ctx.admin,
      body: { ids: ['w1', 'w2', 'nope'] },
    });
    assert.is(auth.status, 200);
    assert.equal(auth.body.changed.sort(), ['w1', 'w2']);
    assert.equal(auth.body.notFound, ['nope']);
    const pending = await ctx.t.call('GET', '/api/workstations?state=pending', { token: ctx.admin });
    assert.equal(
      pending.body.items.map((w: { id: string }) => w.id),
      ['w3'],
    );
    await ctx.t.call('POST', '/api/workstations/forbid', { token: ctx.admin, body: { ids: ['w3'] } });
    await ctx.t.call('POST', '/api/workstations/delete', { token: ctx.admin, body: { ids: ['w2'] } });
    assert.equal(ctx.channel.authorizations.map((a) => `${a.workstationId}:${a.state}`).sort(), [
      'w1:authorized',
      'w2:authorized',
      'w2:deleted',
      'w3:forbidden',
    ]);
    assert.ok(ctx.channel.authorizations.every((a) => a.tenantId === ctx.tenantId));
    assert.is((await ctx.t.call('GET', '/api/workstations/w2', { token: ctx.admin })).status, 404);
    assert.is(
      (await ctx.t.call('GET', '/api/workstations/w3', { token: ctx.admin })).body.state,
      'forbidden',
    );
  });

  test('online comes from the controller when attached', async (ctx) => {
    ctx.channel.online.add(`${ctx.tenantId}/w1`);
    const w1 = await ctx.t.call('GET', '/api/workstations/w1', { token: ctx.admin });
    assert.is(w1.body.online, true);
    assert.is((await ctx.t.call('GET', '/api/workstations/w3', { token: ctx.admin })).body.online, false);
  });

  test('another tenant cannot see or change these workstations', async (ctx) => {
    const other = await addTenant(ctx.t, 'ws-other');
    const before = ctx.channel.authorizations.length;
    assert.is((await ctx.t.call('GET', '/api/workstations/w1', { token: other.bearer })).status, 404);
    for (const action of ['authorize', 'forbid', 'delete']) {
      const res = await ctx.t.call('POST', `/api/workstations/${action}`, {
        token: other.bearer,
        body: { ids: ['w1', 'w3'] },
      });
      assert.equal(res.body, { changed: [], notFound: ['w1', 'w3'] });
    }
    assert.is(ctx.channel.authorizations.length, before, 'nothing pushed');
    assert.is((await ctx.t.call('GET', '/api/workstations', { token: other.bearer })).body.total, 0);
    assert.is(
      (await ctx.t.call('GET', '/api/workstations/w1', { token: ctx.admin })).body.state,
      'authorized',
    );
  });

  test('invalid bulk bodies and queries', async (ctx) => {
    for (const body of [
      {},
      { ids: [] },
      { ids: 'w1' },
      { ids: [1] },
      { ids: Array.from({ length: 1001 }, (_, i) => `w${i}`) },
    ]) {
      const res = await ctx.t.call('POST', '/api/workstations/authorize', { token: ctx.admin, body });
      assert.is(res.status, 400, JSON.stringify(body).slice(0, 40));
      assert.match(res.body.error.field ?? '', /^ids/);
    }
    const state = await ctx.t.call('GET', '/api/workstations?state=maybe', { token: ctx.admin });
    assert.is(state.status, 400);
    assert.is(state.body.error.field, 'query.state');
    const limit = await ctx.t.call('GET', '/api/workstations?limit=-5', { token: ctx.admin });
    assert.is(limit.body.error.field, 'query.limit');
  });

  test.run();
}
