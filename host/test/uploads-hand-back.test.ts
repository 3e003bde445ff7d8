import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import { STORE_SEGMENT_JOB } from '../src/uploads/upload-service.js';
import { databaseKinds } from './db-harness.js';
import { type OrchestratorHost, startOrchestratorHost } from './support/orchestrator-host.js';
import { seedUploadGrant, tusUploadBuffer } from './support/uploads-fixtures.js';

for (const kind of await databaseKinds()) {
  const test = suite(`uploads: store jobs run on the host that has the file (${kind} database)`);
  let h: OrchestratorHost;

  test.before(async () => {
    h = await startOrchestratorHost({ kind, extraYaml: ['uploads: { handBackAfterSeconds: 60 }'] });
  });
  test.after(async () => {
    await h.stop();
  });

  const segmentsOf = (recordingId: string) =>
    h.db
      .selectFrom('segments')
      .select(['idx', 'monitor_id', 'state', 'error'])
      .where('recording_id', '=', recordingId)
      .orderBy('idx')
      .execute();

  test('a job bound to a live host is never taken here; once that host is silent it is handed back and the agent copy lands', async () => {
    const grant = await seedUploadGrant(h.db, h.tenantId, { name: 'hand-back' });
    assert.equal(await tusUploadBuffer(h.url, grant, 0, randomBytes(1000)), 201);
    await h.runDueJobs();
    const own = await h.db
      .selectFrom('jobs')
      .select(['host_id', 'state'])
      .where('kind', '=', STORE_SEGMENT_JOB)
      .executeTakeFirstOrThrow();
    assert.ok(own.host_id, 'the store job names the host that received the file');
    assert.equal(own.state, 'done');

    // Segment 1 reached another host, alive, whose spool has the file and whose job waits for it.
    const body = randomBytes(1500);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const { segments, jobs } = h.host.services().repos;
    await h.db
      .insertInto('hosts')
      .values({ id: 'other-host', name: 'other', started_at: h.clock.now(), heartbeat_at: h.clock.now() })
      .execute();
    const segmentId = await segments.upsert(
      h.tenantId,
      grant.recordingId,
      { monitorId: '0', index: 1, startedAt: h.clock.now(), durationMs: 10_000, bytes: body.length, sha256 },
      'uploading',
    );
    await segments.markSpooled(h.tenantId, segmentId, '/spool/of/other-host/segment.mp4');
    const jobId = await jobs.enqueue(h.tenantId, STORE_SEGMENT_JOB, { segmentId }, undefined, 'other-host');
    await h.runDueJobs();
    const waiting = await h.db
      .selectFrom('jobs')
      .select(['state', 'attempts'])
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(waiting, { state: 'queued', attempts: 0 }, 'left to the host that has the file');

    // That host stays silent past uploads.handBackAfterSeconds.
    h.clock.advance(61_000);
    await h.runDueJobs();
    const handed = await h.db
      .selectFrom('jobs')
      .select(['state', 'last_error'])
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    assert.equal(handed.state, 'done');
    assert.match(handed.last_error ?? '', /the host that received it is gone/);
    assert.equal((await segmentsOf(grant.recordingId))[1]?.state, 'on-agent');

    // The agent kept its copy and uploads it here.
    assert.equal(await tusUploadBuffer(h.url, grant, 1, body), 201);
    await h.runDueJobs();
    const rows = await segmentsOf(grant.recordingId);
    const captured = 2;
    const stored = rows.filter((r) => r.state === 'stored').length;
    const duplicates = rows.length - new Set(rows.map((r) => `${r.monitor_id}/${r.idx}`)).size;
    assert.deepEqual(
      { captured, stored, lost: captured - stored, duplicates },
      { captured: 2, stored: 2, lost: 0, duplicates: 0 },
    );
  });

  test.run();
}
