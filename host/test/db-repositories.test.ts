import { createHash } from 'node:crypto';
import { ScreenRecordingSettingsSchema, systemClock } from '@deskrec/core';
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UserConflictError } from '../src/db/repos/users.js';
import { createRepositories, type Repositories } from '../src/db/repositories.js';
import { databaseKinds, openTestDatabase, type TestDatabase } from './db-harness.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

for (const kind of await databaseKinds()) {
  const test = suite<{ db: TestDatabase; repos: Repositories; a: string; b: string; tokenA: string }>(
    `db repositories (${kind})`,
  );

  test.before(async (ctx) => {
    ctx.db = await openTestDatabase(kind);
    ctx.repos = createRepositories(ctx.db.handle.db, systemClock);
    const a = await ctx.repos.tenants.create({ slug: 'a', name: 'A' });
    const b = await ctx.repos.tenants.create({ slug: 'b', name: 'B' });
    ctx.a = a.tenant.id;
    ctx.b = b.tenant.id;
    ctx.tokenA = a.token;
  });
  test.after(async (ctx) => ctx.db.cleanup());

  test('tenant tokens are random 128-bit hex, stored only as a hash with a short hint', async (ctx) => {
    assert.match(ctx.tokenA, /^[0-9a-f]{32}$/);
    const row = await ctx.db.handle.db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', ctx.a)
      .executeTakeFirstOrThrow();
    assert.is(row.screen_recording_token_hash, sha256(ctx.tokenA));
    assert.is(row.token_hint, `${ctx.tokenA.slice(0, 4)}…`);
    assert.not.ok(JSON.stringify(row).includes(ctx.tokenA));
  });

  test('counts come back as numbers from both drivers', async (ctx) => {
    const row = await ctx.db.handle.db
      .selectFrom('tenants')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    assert.type(row.n, 'number');
    const big = await sql<{ v: number }>`select 9007199254740991::bigint as v`.execute(ctx.db.handle.db);
    assert.is(big.rows[0]!.v, 9007199254740991);
  });

  test('users: logins unique per tenant, case-insensitive; extensions unique per tenant', async (ctx) => {
    const u = ctx.repos.users;
    const alice = await u.create(ctx.a, {
      name: 'Alice',
      screenRecordingLogin: 'CORP\\Alice',
      seatLicence: true,
      extensions: ['101', '102'],
      externalId: null,
    });
    assert.equal(alice.extensions, ['101', '102']);
    assert.is(alice.screenRecordingLogin, 'CORP\\Alice');
    const clash = await u
      .create(ctx.a, {
        name: 'Al',
        screenRecordingLogin: 'corp\\ALICE',
        seatLicence: false,
        extensions: [],
        externalId: null,
      })
      .catch((e: unknown) => e);
    assert.instance(clash, UserConflictError);
    assert.is((clash as UserConflictError).field, 'screenRecordingLogin');
    const extClash = await u
      .create(ctx.a, {
        name: 'Bob',
        screenRecordingLogin: null,
        seatLicence: false,
        extensions: ['102'],
        externalId: null,
      })
      .catch((e: unknown) => e);
    assert.is((extClash as UserConflictError).field, 'extensions');
    // Another tenant may reuse both.
    const other = await u.create(ctx.b, {
      name: 'Alice B',
      screenRecordingLogin: 'corp\\alice',
      seatLicence: true,
      extensions: ['101'],
      externalId: null,
    });
    assert.ok(other.id);
    assert.is((await u.byLogin(ctx.a, 'CORP\\ALICE'))?.id, alice.id);
    assert.is((await u.byExtension(ctx.b, '101'))?.id, other.id);
    assert.is(await u.get(ctx.b, alice.id), undefined, 'tenant b cannot read tenant a user');
    assert.is(await u.delete(ctx.b, alice.id), false, 'tenant b cannot delete tenant a user');
    const updated = await u.update(ctx.a, alice.id, { ...alice, extensions: ['103'] });
    assert.equal(updated?.extensions, ['103']);
    assert.is((await u.list(ctx.a, 'ali')).length, 1);
  });

  test('settings: defaults when none stored; stored values round-trip', async (ctx) => {
    const defaults = await ctx.repos.settings.get(ctx.a);
    assert.equal(defaults, ScreenRecordingSettingsSchema.parse({}));
    await ctx.repos.settings.put(ctx.a, { ...defaults, fps: 2, wrapUpSeconds: 30 });
    assert.is((await ctx.repos.settings.get(ctx.a)).fps, 2);
    assert.is((await ctx.repos.settings.get(ctx.b)).fps, defaults.fps, 'other tenant unaffected');
  });

  test('storage targets keep options (with secrets) per tenant', async (ctx) => {
    const t = await ctx.repos.storageTargets.create(ctx.a, {
      name: 'S3',
      kind: 's3',
      options: { bucket: 'x', secretAccessKey: 'shh' },
    });
    assert.equal((await ctx.repos.storageTargets.get(ctx.a, t.id))?.options, {
      bucket: 'x',
      secretAccessKey: 'shh',
    });
    assert.is(await ctx.repos.storageTargets.get(ctx.b, t.id), undefined);
    assert.is(await ctx.repos.storageTargets.delete(ctx.b, t.id), false);
  });

  test('jobs: claim with SKIP LOCKED hands each job to one worker; failures retry later', async (ctx) => {
    const jobs = ctx.repos.jobs;
    const now = new Date();
    const ids = await Promise.all([1, 2, 3].map((n) => jobs.enqueue(ctx.a, 'store', { n }, now)));
    const [first, second] = await Promise.all([
      jobs.claim({ worker: 'w1', kinds: ['store'], limit: 2, lockMs: 60_000, now }),
      jobs.claim({ worker: 'w2', kinds: ['store'], limit: 2, lockMs: 60_000, now }),
    ]);
    const claimed = [...first, ...second].map((j) => j.id).sort((x, y) => x - y);
    assert.equal(
      claimed,
      [...ids].sort((x, y) => x - y),
      'every job claimed exactly once',
    );
    const job = first[0]!;
    assert.is(job.attempts, 1);
    await jobs.fail(ctx.a, job.id, job.locked_by!, 'boom', new Date(now.getTime() + 60_000));
    assert.is((await jobs.claim({ worker: 'w3', kinds: ['store'], limit: 10, lockMs: 1000, now })).length, 0);
    const later = new Date(now.getTime() + 61_000);
    const retried = await jobs.claim({ worker: 'w3', kinds: ['store'], limit: 10, lockMs: 1000, now: later });
    // The retried job, plus any whose 60 s lock has lapsed by then.
    assert.ok(retried.some((j) => j.id === job.id && j.attempts === 2 && j.last_error === 'boom'));
    await jobs.complete(ctx.a, job.id, 'w3');
    assert.is((await jobs.get(ctx.a, job.id))?.state, 'done');
    assert.is(await jobs.get(ctx.b, job.id), undefined);
  });

  test('sessions: found while live, gone after expiry or delete', async (ctx) => {
    const admin = await ctx.repos.adminUsers.create(ctx.a, {
      username: 'root',
      password: 'long-password-1',
      role: 'admin',
    });
    const now = new Date();
    const s = await ctx.repos.sessions.create({
      userId: admin.id,
      tenantId: ctx.a,
      ttlMs: 1000,
      ip: null,
      now,
    });
    const found = await ctx.repos.sessions.find(s.token, now);
    assert.is(found?.username, 'root');
    assert.is(await ctx.repos.sessions.find(s.token, new Date(now.getTime() + 1001)), undefined);
    assert.is(await ctx.repos.sessions.deleteExpired(new Date(now.getTime() + 1001)), 1);
    assert.ok(await ctx.repos.adminUsers.verify(ctx.a, 'root', 'long-password-1'));
    assert.is(await ctx.repos.adminUsers.verify(ctx.a, 'root', 'wrong'), undefined);
    assert.is(await ctx.repos.adminUsers.verify(ctx.b, 'root', 'long-password-1'), undefined);
  });

  test.run();
}
