import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { TOKENS } from '@deskrec/core';
import { test } from 'uvu';
import { HOST_TOKENS } from '../src/tokens.js';
import { startTestHost, type TestHost } from './api-harness.js';
import { databaseKinds } from './db-harness.js';
import { TestClock } from './support/test-clock.js';

const DAY = 86_400_000;

interface Fixture {
  h: TestHost;
  clock: TestClock;
  token: string;
  tenantId: string;
  hot: { id: string; root: string };
  archive: { id: string; root: string };
  /** Retention jobs counted so far (sweepAndRun). */
  jobsSeen: number;
}

async function setUp(kind: 'embedded' | 'postgres'): Promise<Fixture> {
  const clock = new TestClock();
  const h = await startTestHost(kind, '', (c) => c.register(TOKENS.Clock, { useValue: clock }));
  const token = await h.login();
  const tenantId = h.host.resolve(HOST_TOKENS.DefaultTenantId);
  const target = async (name: string) => {
    const root = path.join(h.dataDir, name);
    await fs.mkdir(root, { recursive: true });
    const res = await h.call('POST', '/api/storage-targets', {
      token,
      body: { name, kind: 'local', options: { root } },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as string, root };
  };
  return {
    h,
    clock,
    token,
    tenantId,
    hot: await target('hot'),
    archive: await target('archive'),
    jobsSeen: 0,
  };
}

/** A finished recording of `userId` on one call, with two segments stored on the `hot` target. */
async function seedRecording(f: Fixture, name: string, userId: string) {
  const db = f.h.host.services().database.db;
  const now = f.clock.now();
  const suffix = randomBytes(4).toString('hex');
  const recordingId = `rec-${name}-${suffix}`;
  const callId = `call-${name}-${suffix}`;
  await db
    .insertInto('workstations')
    .values({
      tenant_id: f.tenantId,
      id: `ws-${recordingId}`,
      secret_hash: 'x',
      state: 'authorized',
      computer_name: 'PC',
      monitors: '[]',
      first_seen: now,
      last_seen: now,
    })
    .execute();
  await db
    .insertInto('recordings')
    .values({
      id: recordingId,
      tenant_id: f.tenantId,
      workstation_id: `ws-${recordingId}`,
      user_id: userId,
      capture_id: `cap-${recordingId}`,
      state: 'stored',
      started_at: now,
      ended_at: now,
      upload_token_hash: null,
    })
    .execute();
  await db
    .insertInto('calls')
    .values({
      id: callId,
      tenant_id: f.tenantId,
      source_id: 'test',
      external_call_id: callId,
      direction: 'inbound',
      started_at: now,
      state: 'ended',
      user_id: userId,
    })
    .execute();
  await db
    .insertInto('call_recordings')
    .values({ tenant_id: f.tenantId, call_id: callId, recording_id: recordingId })
    .execute();
  const { target } = await f.h.host.resolve(HOST_TOKENS.TargetResolver).byId(f.tenantId, f.hot.id);
  const bodies: Buffer[] = [];
  for (const idx of [0, 1]) {
    const body = randomBytes(200 * 1024 + idx);
    const key = `2026/${recordingId}/${idx}.mp4`;
    const sha256 = createHash('sha256').update(body).digest('hex');
    await target.put(key, Readable.from([body]), { size: body.length, sha256 });
    await db
      .insertInto('segments')
      .values({
        id: `${recordingId}-${idx}`,
        tenant_id: f.tenantId,
        recording_id: recordingId,
        monitor_id: 'm1',
        idx,
        started_at: now,
        duration_ms: 1000,
        bytes: body.length,
        sha256,
        state: 'stored',
        spool_path: null,
        storage_target_id: f.hot.id,
        storage_key: key,
        stored_at: now,
        error: null,
      })
      .execute();
    bodies.push(body);
  }
  return { recordingId, callId, bodies };
}

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );
const fileOf = (root: string, key: string) => path.join(root, ...key.split('/'));

async function segmentsOf(f: Fixture, recordingId: string) {
  return f.h.host
    .services()
    .database.db.selectFrom('segments')
    .selectAll()
    .where('recording_id', '=', recordingId)
    .orderBy('idx')
    .execute();
}

async function auditOf(f: Fixture, action: string, targetId: string) {
  return f.h.host
    .services()
    .database.db.selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .where('target_id', '=', targetId)
    .execute();
}

async function user(f: Fixture, name: string): Promise<string> {
  const res = await f.h.call('POST', '/api/users', {
    token: f.token,
    body: { name, screenRecordingLogin: null, seatLicence: true, extensions: [], externalId: null },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

/**
 * Sweeps and runs every due job once; returns how many retention jobs were queued since the last call. Counted
 * in the jobs table, not from this sweep's answer: the host's own hourly timer may have swept first.
 */
async function sweepAndRun(f: Fixture): Promise<number> {
  await f.h.host.resolve(HOST_TOKENS.RetentionSweep).sweep();
  await f.h.host.resolve(HOST_TOKENS.JobRunner).runDue();
  const { count } = await f.h.host
    .services()
    .database.db.selectFrom('jobs')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('kind', '=', 'retention-apply')
    .executeTakeFirstOrThrow();
  const queued = Number(count) - f.jobsSeen;
  f.jobsSeen = Number(count);
  return queued;
}

for (const kind of await databaseKinds()) {
  test(`${kind}: policies delete and move after N days; legal hold stops both; every step audited`, async () => {
    const f = await setUp(kind);
    try {
      const alice = await user(f, 'Alice');
      const bob = await user(f, 'Bob');
      const badMove = await f.h.call('POST', '/api/retention-policies', {
        token: f.token,
        body: { name: 'x', action: 'move', afterDays: 10 },
      });
      assert.equal(badMove.status, 400);
      assert.equal(badMove.body.error.field, 'targetId');
      const badUser = await f.h.call('POST', '/api/retention-policies', {
        token: f.token,
        body: { name: 'x', action: 'delete', afterDays: 10, userIds: ['nobody'] },
      });
      assert.equal(badUser.status, 400);
      assert.equal(badUser.body.error.field, 'userIds.0');
      const del = await f.h.call('POST', '/api/retention-policies', {
        token: f.token,
        body: { name: 'Delete Alice after 30 days', action: 'delete', afterDays: 30, userIds: [alice] },
      });
      assert.equal(del.status, 201, JSON.stringify(del.body));
      const move = await f.h.call('POST', '/api/retention-policies', {
        token: f.token,
        body: {
          name: 'Archive Bob after 7 days',
          action: 'move',
          afterDays: 7,
          targetId: f.archive.id,
          userIds: [bob],
        },
      });
      assert.equal(move.status, 201, JSON.stringify(move.body));
      const listed = await f.h.call('GET', '/api/retention-policies', { token: f.token });
      assert.deepEqual(
        listed.body.items.map((p: { name: string }) => p.name),
        ['Archive Bob after 7 days', 'Delete Alice after 30 days'],
      );

      const doomed = await seedRecording(f, 'doomed', alice);
      const moving = await seedRecording(f, 'moving', bob);
      const heldA = await seedRecording(f, 'held-a', alice);
      const heldB = await seedRecording(f, 'held-b', bob);
      for (const held of [heldA, heldB]) {
        const res = await f.h.call('POST', `/api/calls/${held.callId}/legal-hold`, {
          token: f.token,
          body: { reason: 'litigation 2026-17' },
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.held, true);
        assert.equal(
          (await auditOf(f, 'call.legal-hold.set', held.callId))[0]?.detail.reason,
          'litigation 2026-17',
        );
      }
      const noReason = await f.h.call('POST', `/api/calls/${heldA.callId}/legal-hold`, {
        token: f.token,
        body: {},
      });
      assert.equal(noReason.status, 400);
      assert.equal(noReason.body.error.field, 'reason');

      assert.equal(await sweepAndRun(f), 0, 'nothing is due on day 0');
      f.clock.advance(8 * DAY);
      assert.equal(await sweepAndRun(f), 1, 'the move is due after 7 days, the held one is not');
      f.clock.advance(23 * DAY);
      assert.equal(await sweepAndRun(f), 1, 'the deletion is due after 30 days, the held one is not');

      // Deleted: objects gone from storage, segment rows gone, the recording marked, the deletion audited.
      const hotTarget = (await f.h.host.resolve(HOST_TOKENS.TargetResolver).byId(f.tenantId, f.hot.id))
        .target;
      for (const idx of [0, 1])
        assert.equal(await exists(fileOf(f.hot.root, `2026/${doomed.recordingId}/${idx}.mp4`)), false);
      assert.deepEqual(await segmentsOf(f, doomed.recordingId), []);
      const [deletion] = await auditOf(f, 'recording.delete', doomed.recordingId);
      assert.ok(deletion, 'the deletion is audited');
      assert.equal(deletion.actor_user_id, null);
      assert.equal(deletion.detail.by, 'retention-policy');
      assert.equal(deletion.detail.policyId, del.body.id);
      assert.deepEqual(deletion.detail.callIds, [doomed.callId]);
      assert.deepEqual(
        deletion.detail.objects,
        [0, 1].map((idx) => ({ targetId: f.hot.id, key: `2026/${doomed.recordingId}/${idx}.mp4` })),
      );

      // Moved: readable from the archive with the same bytes, gone from the hot target, the DB points there.
      const archiveTarget = (
        await f.h.host.resolve(HOST_TOKENS.TargetResolver).byId(f.tenantId, f.archive.id)
      ).target;
      const moved = await segmentsOf(f, moving.recordingId);
      for (const [idx, segment] of moved.entries()) {
        assert.equal(segment.storage_target_id, f.archive.id);
        assert.equal(segment.moved_from_key, null);
        const got = await archiveTarget.get(segment.storage_key!);
        const chunks: Buffer[] = [];
        for await (const chunk of got.body) chunks.push(chunk as Buffer);
        assert.deepEqual(Buffer.concat(chunks), moving.bodies[idx]);
        assert.equal(await hotTarget.stat(`2026/${moving.recordingId}/${idx}.mp4`), undefined);
      }
      const [moveAudit] = await auditOf(f, 'recording.move', moving.recordingId);
      assert.ok(moveAudit, 'the move is audited');
      assert.equal(moveAudit.detail.policyId, move.body.id);
      assert.equal((moveAudit.detail.objects as unknown[]).length, 2);

      // Held: untouched on the hot target.
      for (const held of [heldA, heldB]) {
        for (const segment of await segmentsOf(f, held.recordingId)) {
          assert.equal(segment.storage_target_id, f.hot.id);
          assert.ok(await hotTarget.stat(segment.storage_key!));
        }
      }
      assert.deepEqual(await auditOf(f, 'recording.delete', heldA.recordingId), []);

      // Released: the next sweep applies the policies (a new session: a month passed on the clock).
      f.token = await f.h.login();
      const release = await f.h.call('DELETE', `/api/calls/${heldA.callId}/legal-hold`, {
        token: f.token,
        body: { reason: 'case closed' },
      });
      assert.equal(release.status, 200);
      assert.equal(release.body.held, false);
      assert.equal((await auditOf(f, 'call.legal-hold.release', heldA.callId)).length, 1);
      assert.equal(await sweepAndRun(f), 1);
      assert.deepEqual(await segmentsOf(f, heldA.recordingId), []);
      assert.equal(await sweepAndRun(f), 0, 'done recordings are not queued again');
    } finally {
      await f.h.stop();
    }
  });

  test(`${kind}: a storage outage during a move retries and completes, the DB always says where the object is`, async () => {
    const f = await setUp(kind);
    try {
      const bob = await user(f, 'Bob');
      const move = await f.h.call('POST', '/api/retention-policies', {
        token: f.token,
        body: { name: 'Archive', action: 'move', afterDays: 1, targetId: f.archive.id, userIds: [] },
      });
      assert.equal(move.status, 201, JSON.stringify(move.body));
      const rec = await seedRecording(f, 'outage', bob);
      // The archive share goes away: its root becomes a plain file, so every write there fails.
      await fs.rm(f.archive.root, { recursive: true });
      await fs.writeFile(f.archive.root, 'the archive share is not mounted');
      f.clock.advance(2 * DAY);
      assert.equal(await sweepAndRun(f), 1);
      const db = f.h.host.services().database.db;
      const job = await db
        .selectFrom('jobs')
        .selectAll()
        .where('kind', '=', 'retention-apply')
        .executeTakeFirstOrThrow();
      assert.equal(job.state, 'queued', 'the failed job waits for a retry');
      assert.ok(job.last_error);
      for (const segment of await segmentsOf(f, rec.recordingId)) {
        assert.equal(segment.storage_target_id, f.hot.id, 'still recorded where it is');
        assert.ok(await exists(fileOf(f.hot.root, segment.storage_key!)), 'the original is kept');
      }
      assert.equal(await sweepAndRun(f), 0, 'a queued recording is not queued twice');

      await fs.rm(f.archive.root);
      await fs.mkdir(f.archive.root);
      f.clock.advance(3_600_000);
      await sweepAndRun(f);
      const done = await db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(done.state, 'done', done.last_error ?? '');
      for (const [idx, segment] of (await segmentsOf(f, rec.recordingId)).entries()) {
        assert.equal(segment.storage_target_id, f.archive.id);
        assert.deepEqual(await fs.readFile(fileOf(f.archive.root, segment.storage_key!)), rec.bodies[idx]);
        assert.equal(await exists(fileOf(f.hot.root, `2026/${rec.recordingId}/${idx}.mp4`)), false);
      }
      assert.equal((await auditOf(f, 'recording.move', rec.recordingId)).length, 1);
    } finally {
      await f.h.stop();
    }
  });

  test(`${kind}: a job repeated after a crash between recording a copy and deleting the original finishes the move`, async () => {
    const f = await setUp(kind);
    try {
      const bob = await user(f, 'Bob');
      const move = await f.h.call('POST', '/api/retention-policies', {
        token: f.token,
        body: { name: 'Archive', action: 'move', afterDays: 1, targetId: f.archive.id },
      });
      const rec = await seedRecording(f, 'crash', bob);
      const db = f.h.host.services().database.db;
      // What the first run left when the host died: copies on the archive, recorded, originals not yet deleted.
      for (const segment of await segmentsOf(f, rec.recordingId)) {
        const to = fileOf(f.archive.root, segment.storage_key!);
        await fs.mkdir(path.dirname(to), { recursive: true });
        await fs.copyFile(fileOf(f.hot.root, segment.storage_key!), to);
        await db
          .updateTable('segments')
          .set({
            storage_target_id: f.archive.id,
            moved_from_target_id: f.hot.id,
            moved_from_key: segment.storage_key,
          })
          .where('id', '=', segment.id)
          .execute();
      }
      const retention = f.h.host.resolve(HOST_TOKENS.RetentionRepo);
      assert.equal(
        await retention.enqueueOnce(f.tenantId, rec.recordingId, 'retention-apply', move.body.id),
        true,
      );
      assert.equal(
        await retention.enqueueOnce(f.tenantId, rec.recordingId, 'retention-apply', move.body.id),
        false,
        'a queued recording gets no second job',
      );
      await f.h.host.resolve(HOST_TOKENS.JobRunner).runDue();
      for (const [idx, segment] of (await segmentsOf(f, rec.recordingId)).entries()) {
        assert.equal(segment.storage_target_id, f.archive.id);
        assert.equal(segment.moved_from_key, null, 'the old location is cleared once deleted');
        assert.deepEqual(await fs.readFile(fileOf(f.archive.root, segment.storage_key!)), rec.bodies[idx]);
        assert.equal(
          await exists(fileOf(f.hot.root, segment.storage_key!)),
          false,
          'the original is deleted',
        );
      }
      const [audit] = await auditOf(f, 'recording.move', rec.recordingId);
      assert.ok(audit, 'the finished move is audited');
    } finally {
      await f.h.stop();
    }
  });
}

test.run();
