import authToken from '@deskrec/auth-token';
import { instantiatePlugin, silentLogger, systemClock } from '@deskrec/core';
import { newWorkstationCredentials } from '@deskrec/core/testing';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRepositories, type Repositories } from '../src/db/repositories.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from './db-harness.js';

for (const kind of await databaseKinds()) {
  const test = suite<{
    db: TestDatabase;
    repos: Repositories;
    t1: string;
    t2: string;
    token1: string;
    token2: string;
  }>(`workstation directory over kysely (${kind})`);

  test.before(async (ctx) => {
    ctx.db = await openTestDatabase(kind);
    ctx.repos = createRepositories(ctx.db.handle.db, systemClock);
    const one = await ctx.repos.tenants.create({ slug: 'one', name: 'One' });
    const two = await ctx.repos.tenants.create({ slug: 'two', name: 'Two' });
    ctx.t1 = one.tenant.id;
    ctx.t2 = two.tenant.id;
    ctx.token1 = one.token;
    ctx.token2 = two.token;
  });
  test.after(async (ctx) => ctx.db.cleanup());

  test('findTenantByToken matches only the current token', async (ctx) => {
    const dir = ctx.repos.directory;
    assert.equal(await dir.findTenantByToken(ctx.token1), { tenantId: ctx.t1 });
    assert.equal(await dir.findTenantByToken(ctx.token2), { tenantId: ctx.t2 });
    assert.is(await dir.findTenantByToken(ctx.token1.toUpperCase()), undefined);
    assert.is(await dir.findTenantByToken(''), undefined);
    assert.is(await dir.findTenantByToken(`${ctx.token1}x`), undefined);
  });

  test('createPending inserts once; a second insert of the same id reports false', async (ctx) => {
    const dir = ctx.repos.directory;
    const record = { tenantId: ctx.t1, workstationId: 'ws-1', secretHash: 'h1', state: 'pending' as const };
    assert.is(await dir.createPending({ ...record, computerName: 'PC1', domain: 'CORP' }), true);
    assert.is(await dir.createPending({ ...record, secretHash: 'other', computerName: 'PC1' }), false);
    assert.equal(await dir.find(ctx.t1, 'ws-1'), record);
    assert.is(await dir.find(ctx.t2, 'ws-1'), undefined, 'tenant-scoped');
    assert.equal(await dir.findById('ws-1'), [record]);
    assert.is(await dir.stateOf(ctx.t1, 'ws-1'), 'pending');
  });

  test('the capture backend and every address the agent connected from are kept, per tenant', async (ctx) => {
    const dir = ctx.repos.directory;
    await dir.createPending({
      tenantId: ctx.t2,
      workstationId: 'ws-1',
      secretHash: 'h2',
      state: 'pending',
      computerName: 'PC1',
    });
    const connect = (tenantId: string, remoteAddress: string, at: string) =>
      dir.recordConnected({
        tenantId,
        workstationId: 'ws-1',
        computerName: 'PC1',
        os: { platform: 'linux', release: '6.1' },
        agentVersion: '0.2.0',
        captureBackend: 'ffmpeg 6.1 from @ffmpeg-installer, input x11grab on :0',
        monitors: [],
        login: null,
        remoteAddress,
        at: new Date(at),
      });
    await connect(ctx.t1, '10.0.0.5', '2026-01-02T03:00:00.000Z');
    await connect(ctx.t1, '10.0.0.7', '2026-01-02T04:00:00.000Z');
    await connect(ctx.t1, '10.0.0.5', '2026-01-02T05:00:00.000Z');
    await connect(ctx.t2, '192.0.2.1', '2026-01-02T05:30:00.000Z');
    const w = await ctx.repos.workstations.get(ctx.t1, 'ws-1');
    assert.is(w?.captureBackend, 'ffmpeg 6.1 from @ffmpeg-installer, input x11grab on :0');
    const details = await ctx.repos.workstationDetails.get(ctx.t1, 'ws-1');
    assert.equal(
      details?.addresses.map((a) => [
        a.address,
        a.connections,
        a.firstSeen.toISOString(),
        a.lastSeen.toISOString(),
      ]),
      [
        ['10.0.0.5', 2, '2026-01-02T03:00:00.000Z', '2026-01-02T05:00:00.000Z'],
        ['10.0.0.7', 1, '2026-01-02T04:00:00.000Z', '2026-01-02T04:00:00.000Z'],
      ],
    );
    assert.equal(
      (await ctx.repos.workstationDetails.get(ctx.t2, 'ws-1'))?.addresses.map((a) => a.address),
      ['192.0.2.1'],
    );
    // Later tests count the workstations of the tenants.
    await ctx.repos.workstations.delete(ctx.t2, ['ws-1']);
  });

  test('presence, login and conflicts are recorded', async (ctx) => {
    const dir = ctx.repos.directory;
    const at = new Date('2026-01-02T03:04:05.000Z');
    await dir.recordConnected({
      tenantId: ctx.t1,
      workstationId: 'ws-1',
      computerName: 'PC1-NEW',
      domain: 'CORP',
      os: { platform: 'win32', release: '10.0' },
      agentVersion: '0.1.0',
      monitors: [{ id: '0', primary: true, width: 1920, height: 1080, x: 0, y: 0 }] as never,
      login: 'CORP\\alice',
      remoteAddress: '10.0.0.5',
      at,
    });
    let w = await ctx.repos.workstations.get(ctx.t1, 'ws-1');
    assert.is(w?.online, true);
    assert.is(w?.computerName, 'PC1-NEW');
    assert.is(w?.remoteAddress, '10.0.0.5');
    assert.equal(w?.os, { platform: 'win32', release: '10.0' });
    assert.is(w?.monitors.length, 1);
    assert.is(w?.lastSeen.toISOString(), at.toISOString());
    await dir.recordLogin(ctx.t1, 'ws-1', null, at);
    await dir.markConflict(ctx.t1, 'ws-1', '10.0.0.99');
    await dir.recordDisconnected(ctx.t1, 'ws-1', new Date(at.getTime() + 1000));
    w = await ctx.repos.workstations.get(ctx.t1, 'ws-1');
    assert.is(w?.login, null);
    assert.is(w?.conflict, true);
    assert.is(w?.online, false);
    assert.equal((await ctx.repos.workstations.list(ctx.t1, { search: '10.0.0' })).total, 1);
    assert.equal((await ctx.repos.workstations.list(ctx.t2, { search: '10.0.0' })).total, 0);
  });

  test('captureSettings: capture fields and the storage host URL', async (ctx) => {
    const dir = ctx.repos.directory;
    const before = await dir.captureSettings(ctx.t1);
    assert.is(before.uploadUrl, '');
    assert.is(before.settings.fps, 5);
    const settings = await ctx.repos.settings.get(ctx.t1);
    await ctx.repos.settings.put(ctx.t1, {
      ...settings,
      fps: 2,
      storageHostUrl: 'https://rec.example.com:8443',
    });
    const after = await dir.captureSettings(ctx.t1);
    assert.is(after.uploadUrl, 'https://rec.example.com:8443');
    assert.equal(Object.keys(after.settings).sort(), Object.keys(before.settings).sort());
    assert.is(after.settings.fps, 2);
  });

  test('with the auth-token plugin: enroll, concurrent first connects, token reset', async (ctx) => {
    const policy = await instantiatePlugin(
      authToken,
      {},
      {
        logger: silentLogger,
        clock: systemClock,
        instanceId: 'token',
        dataDir: '/tmp',
        signal: new AbortController().signal,
      },
      'test',
    );
    const dir = ctx.repos.directory;
    const creds = newWorkstationCredentials(ctx.token2);
    const decisions = await Promise.all([1, 2, 3].map(() => policy.decide(creds, dir)));
    for (const d of decisions)
      assert.equal(d, { outcome: 'pending', tenantId: ctx.t2, workstationId: creds.workstationId });
    assert.is(
      (await ctx.repos.workstations.list(ctx.t2)).total,
      1,
      'one record for concurrent first connections',
    );
    const stored = await dir.find(ctx.t2, creds.workstationId);
    assert.is.not(stored?.secretHash, creds.workstationSecret, 'secret stored hashed');
    await ctx.repos.workstations.setState(ctx.t2, [creds.workstationId], 'authorized');
    const newToken = (await ctx.repos.tenants.resetToken(ctx.t2))!;
    assert.equal(
      (await policy.decide(creds, dir)).outcome,
      'authorized',
      'enrolled keeps working after reset',
    );
    const fresh = newWorkstationCredentials(ctx.token2);
    assert.is((await policy.decide(fresh, dir)).outcome, 'rejected', 'old token admits no new workstation');
    const withNew = newWorkstationCredentials(newToken);
    assert.is((await policy.decide(withNew, dir)).outcome, 'pending');
  });

  test.run();
}
