import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { suite } from 'uvu';
import { type OrchestratorHost, startOrchestratorHost } from './support/orchestrator-host.js';
import {
  encodeMetadata,
  seedUploadGrant,
  segmentMetadata,
  tusUploadBuffer,
} from './support/uploads-fixtures.js';

const test = suite('uploads: tokens that expire, unfinished uploads that are cleaned');
let h: OrchestratorHost;
const HOUR = 3_600_000;

test.before(async () => {
  h = await startOrchestratorHost({
    extraYaml: [
      'uploads: { tokenHoursAfterEnd: 48, unfinishedUploadHours: 6, maxOpenUploadsPerRecording: 3 }',
    ],
  });
});
test.after(async () => {
  await h.stop();
});

const endCapture = (recordingId: string) =>
  h.db
    .updateTable('recordings')
    .set({ ended_at: h.clock.now(), state: 'uploading' })
    .where('id', '=', recordingId)
    .execute();

async function refusal(grant: { token: string; recordingId: string }, index: number) {
  const response = await fetch(`${h.url}/api/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${grant.token}`,
      'tus-resumable': '1.0.0',
      'upload-length': '4',
      'upload-metadata': encodeMetadata(
        segmentMetadata(grant.recordingId, index, { sha256: 'a'.repeat(64), bytes: 4 }),
      ),
    },
  });
  return { status: response.status, text: await response.text() };
}

test('a token works while the capture runs and for the TTL after it ended, renewed by each use', async () => {
  const grant = await seedUploadGrant(h.db, h.tenantId, { name: 'expiry' });
  h.clock.advance(100 * HOUR);
  assert.equal(
    await tusUploadBuffer(h.url, grant, 0, randomBytes(1000)),
    201,
    'a running capture never expires',
  );
  await endCapture(grant.recordingId);
  h.clock.advance(40 * HOUR);
  assert.equal(await tusUploadBuffer(h.url, grant, 1, randomBytes(1000)), 201, '40 h after the end: valid');
  h.clock.advance(40 * HOUR);
  assert.equal(
    await tusUploadBuffer(h.url, grant, 2, randomBytes(1000)),
    201,
    'renewed by the upload 40 h ago',
  );
  h.clock.advance(49 * HOUR);
  const expired = await refusal(grant, 3);
  assert.equal(expired.status, 401);
  assert.match(
    expired.text,
    /the upload token expired at .*: its capture ended and nothing was uploaded with it for 48 h/,
  );
});

test('a recording may not open unlimited uploads it never sends; unfinished ones expire and are deleted', async () => {
  const grant = await seedUploadGrant(h.db, h.tenantId, { name: 'flood' });
  const created: string[] = [];
  for (let index = 0; index < 3; index++) {
    const response = await fetch(`${h.url}/api/uploads`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${grant.token}`,
        'tus-resumable': '1.0.0',
        'upload-length': String(2 * 1024 ** 3),
        'upload-metadata': encodeMetadata(
          segmentMetadata(grant.recordingId, index, { sha256: 'b'.repeat(64), bytes: 2 * 1024 ** 3 }),
        ),
      },
    });
    assert.equal(response.status, 201, `upload ${index} created`);
    created.push(response.headers.get('location')!);
  }
  const fourth = await refusal(grant, 3);
  assert.equal(fourth.status, 429);
  assert.match(fourth.text, /has 3 unfinished uploads \(limit 3\)/);

  const incoming = path.join(h.dataDir, 'spool', 'incoming');
  assert.ok((await fs.readdir(incoming)).length >= 3);
  const uploads = h.host.resolve((await import('../src/tokens.js')).HOST_TOKENS.UploadService);
  assert.equal(await uploads.sweepUnfinished(), 0, 'not yet: 6 h have not passed');
  h.clock.advance(7 * HOUR);
  assert.equal(await uploads.sweepUnfinished(), 3);
  assert.deepEqual(await fs.readdir(incoming), [], 'nothing is left in the host spool');
  const states = await h.db
    .selectFrom('segments')
    .select(['state', 'error'])
    .where('recording_id', '=', grant.recordingId)
    .execute();
  assert.deepEqual(
    states.map((s) => [s.state, s.error]),
    Array.from({ length: 3 }, () => ['on-agent', 'unfinished upload expired']),
  );
  const resumed = await fetch(`${h.url}${created[0]}`, {
    method: 'HEAD',
    headers: { authorization: `Bearer ${grant.token}`, 'tus-resumable': '1.0.0' },
  });
  assert.equal(resumed.status, 404, 'a deleted upload is gone; the agent creates a new one');
  assert.equal(await tusUploadBuffer(h.url, grant, 3, randomBytes(1000)), 201, 'and new uploads work again');
});

test.run();
