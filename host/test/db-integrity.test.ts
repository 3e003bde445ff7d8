import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { silentLogger, systemClock } from '@deskrec/core';
import { LocalStorageTarget } from '@deskrec/storage-local';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createRepositories, type Repositories } from '../src/db/repositories.js';
import { SealRecordingJob } from '../src/integrity/seal-recording.js';
import { verifyTenant } from '../src/integrity/verify-tenant.js';
import { JobSignal } from '../src/jobs/job-signal.js';
import type { TargetResolver } from '../src/storage/target-resolver.js';
import { databaseKinds, openTestDatabase, type TestDatabase, tempDir } from './db-harness.js';

for (const kind of await databaseKinds()) {
  const test = suite<{
    db: TestDatabase;
    repos: Repositories;
    dir: Awaited<ReturnType<typeof tempDir>>;
    target: LocalStorageTarget;
    sealer: SealRecordingJob;
    t1: string;
    t2: string;
  }>(`signing keys, manifests and verify (${kind})`);

  test.before(async (ctx) => {
    ctx.db = await openTestDatabase(kind);
    ctx.repos = createRepositories(ctx.db.handle.db, systemClock);
    ctx.t1 = (await ctx.repos.tenants.create({ slug: 'one', name: 'One' })).tenant.id;
    ctx.t2 = (await ctx.repos.tenants.create({ slug: 'two', name: 'Two' })).tenant.id;
    ctx.dir = await tempDir('deskrec-integrity-');
    ctx.target = new LocalStorageTarget({ root: ctx.dir.path, fsync: true });
    const resolved = { id: 'default-local', target: ctx.target };
    const targets = {
      byId: async () => resolved,
      forTenant: async () => resolved,
    } as unknown as TargetResolver;
    const r = ctx.repos;
    ctx.sealer = new SealRecordingJob(
      r.manifests,
      r.segments,
      r.signingKeys,
      r.jobs,
      new JobSignal(),
      targets,
      systemClock,
      silentLogger,
    );
  });
  test.after(async (ctx) => {
    await ctx.db.cleanup();
    await ctx.dir.remove();
  });

  /** A stored recording of one segment, its bytes on the local target. */
  async function storedRecording(
    ctx: { repos: Repositories; target: LocalStorageTarget; db: TestDatabase },
    tenantId: string,
  ) {
    const db = ctx.db.handle.db;
    const recordingId = randomUUID();
    const now = new Date();
    await db
      .insertInto('workstations')
      .values({
        tenant_id: tenantId,
        id: 'ws',
        secret_hash: 'x',
        state: 'authorized',
        computer_name: 'PC',
        monitors: '[]',
        first_seen: now,
        last_seen: now,
      })
      .onConflict((c) => c.doNothing())
      .execute();
    await db
      .insertInto('recordings')
      .values({
        id: recordingId,
        tenant_id: tenantId,
        workstation_id: 'ws',
        capture_id: `cap-${recordingId}`,
        state: 'stored',
        started_at: now,
        ended_at: now,
        upload_token_hash: null,
      })
      .execute();
    const body = Buffer.from(`segment of ${recordingId}`);
    const key = `day/${recordingId}.mp4`;
    await ctx.target.put(key, Readable.from([body]));
    const segmentId = randomUUID();
    await db
      .insertInto('segments')
      .values({
        id: segmentId,
        tenant_id: tenantId,
        recording_id: recordingId,
        monitor_id: '0',
        idx: 0,
        started_at: now,
        duration_ms: 1000,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
        state: 'stored',
        spool_path: null,
        storage_target_id: 'default-local',
        storage_key: key,
        stored_at: now,
        error: null,
      })
      .execute();
    return { recordingId, segmentId, key };
  }

  const verify = (ctx: { repos: Repositories; target: LocalStorageTarget }, tenantId: string, slug: string) =>
    verifyTenant(
      { manifests: ctx.repos.manifests, signingKeys: ctx.repos.signingKeys, target: async () => ctx.target },
      { id: tenantId, slug },
    );

  test('the active key is made once and kept; a rotation keeps the public half only', async (ctx) => {
    const first = await ctx.repos.signingKeys.active();
    assert.equal((await ctx.repos.signingKeys.active()).id, first.id);
    const next = await ctx.repos.signingKeys.rotate();
    assert.not.equal(next, first.id);
    assert.equal((await ctx.repos.signingKeys.active()).id, next);
    assert.ok((await ctx.repos.signingKeys.publicKey(first.id))?.includes('BEGIN PUBLIC KEY'));
    const row = await ctx.db.handle.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('id', '=', first.id)
      .executeTakeFirstOrThrow();
    assert.is(row.private_key, null);
  });

  test('sealing writes the manifest once, scoped to its tenant, and verify finds nothing wrong', async (ctx) => {
    const rec = await storedRecording(ctx, ctx.t1);
    await ctx.sealer.seal(ctx.t1, rec.recordingId);
    const row = await ctx.repos.manifests.get(ctx.t1, rec.recordingId);
    assert.ok(row);
    assert.is(row.storage_key, `day/${rec.recordingId}.manifest.json`);
    await ctx.sealer.seal(ctx.t1, rec.recordingId);
    assert.equal(
      (await ctx.repos.manifests.get(ctx.t1, rec.recordingId))?.sealed_at,
      row.sealed_at,
      'unchanged',
    );
    assert.is(await ctx.repos.manifests.get(ctx.t2, rec.recordingId), undefined, 'tenant-scoped');
    const report = await verify(ctx, ctx.t1, 'one');
    assert.equal(report.findings, []);
    assert.is(report.segments, 1);
    assert.is(report.manifests, 1);
  });

  test('verify reports a changed file, a missing one and an unsealed recording', async (ctx) => {
    const changed = await storedRecording(ctx, ctx.t2);
    const missing = await storedRecording(ctx, ctx.t2);
    const unsealed = await storedRecording(ctx, ctx.t2);
    await ctx.sealer.seal(ctx.t2, changed.recordingId);
    await ctx.sealer.seal(ctx.t2, missing.recordingId);
    await writeFile(join(ctx.dir.path, changed.key), 'other bytes');
    await ctx.target.delete(missing.key);
    const report = await verify(ctx, ctx.t2, 'two');
    const got = report.findings.map((f) => `${f.problem}:${f.recordingId}`).sort();
    assert.equal(
      got,
      [
        `changed:${changed.recordingId}`,
        `missing:${missing.recordingId}`,
        `not-sealed:${unsealed.recordingId}`,
      ].sort(),
    );
    // Tenant one is untouched by tenant two's problems.
    assert.equal((await verify(ctx, ctx.t1, 'one')).findings, []);
  });

  test.run();
}
