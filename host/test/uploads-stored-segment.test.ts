import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import { type E2eHost, startE2eHost, until } from './support/e2e-host.js';
import { agentUpload } from './support/uploads-agent.js';
import {
  encodeMetadata,
  seedUploadGrant,
  segmentMetadata,
  sha256File,
  writeRandomFile,
} from './support/uploads-fixtures.js';

let h: E2eHost;

test.before(async () => {
  h = await startE2eHost();
});

test.after(async () => {
  await h?.stop();
  await fs.rm(h.dataDir, { recursive: true, force: true });
});

const db = () => h.host.services().database.db;
const segmentOf = (recordingId: string) =>
  db().selectFrom('segments').selectAll().where('recording_id', '=', recordingId).executeTakeFirst();

async function create(token: string, recordingId: string, sha256: string, bytes: number) {
  return fetch(`${h.started.url}/api/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes),
      'upload-metadata': encodeMetadata(segmentMetadata(recordingId, 0, { sha256, bytes })),
    },
  });
}

async function patch(token: string, created: Response, body: Buffer) {
  const location = new URL(created.headers.get('location')!, `${h.started.url}/api/uploads/`).toString();
  return fetch(location, {
    method: 'PATCH',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    },
    body,
  });
}

test('a stored segment refuses a second upload with 409 (saying whether it is the same file) and stays stored', async () => {
  const grant = await seedUploadGrant(db(), h.tenantId, { name: 'twice' });
  const work = path.join(h.dataDir, 'agent-twice');
  await fs.mkdir(work, { recursive: true });
  const source = path.join(work, 'source.mp4');
  const sha256 = await writeRandomFile(source, 300 * 1024);
  const first = await agentUpload({
    agentDir: work,
    source,
    uploadUrl: h.started.url,
    recordingId: grant.recordingId,
    token: grant.token,
  });
  await first.confirmed();
  await first.uploader.stop();
  const stored = await until('the segment to be stored', async () => {
    const row = await segmentOf(grant.recordingId);
    return row?.state === 'stored' && row;
  });

  const same = await create(grant.token, grant.recordingId, sha256, first.bytes);
  assert.equal(same.status, 409);
  const sameBody = (await same.json()) as { error: { message: string; sameContent: boolean } };
  assert.equal(sameBody.error.sameContent, true);
  assert.match(sameBody.error.message, /already stored with this SHA-256/);

  const other = await create(grant.token, grant.recordingId, 'c'.repeat(64), first.bytes);
  assert.equal(other.status, 409);
  const otherBody = (await other.json()) as { error: { message: string; sameContent: boolean } };
  assert.equal(otherBody.error.sameContent, false);
  assert.match(otherBody.error.message, /another SHA-256; a stored segment is not replaced/);

  const after = await segmentOf(grant.recordingId);
  assert.equal(after?.state, 'stored');
  assert.equal(after?.sha256, stored.sha256);
  assert.equal(after?.storage_key, stored.storage_key);

  // The agent's uploader: the same file again is taken as confirmed; another file under the identity is
  // set aside (kept, not retried).
  const again = await agentUpload({
    agentDir: path.join(work, 'again'),
    source,
    uploadUrl: h.started.url,
    recordingId: grant.recordingId,
    token: grant.token,
  });
  await again.confirmed();
  await again.uploader.stop();
  const otherSource = path.join(work, 'other.mp4');
  await writeRandomFile(otherSource, 200 * 1024);
  const conflicting = await agentUpload({
    agentDir: path.join(work, 'other'),
    source: otherSource,
    uploadUrl: h.started.url,
    recordingId: grant.recordingId,
    token: grant.token,
  });
  await conflicting.uploader.drained();
  await conflicting.uploader.stop();
  const aside = path.join(work, 'other', 'spool', 'conflicts');
  const kept = await fs.readdir(aside, { recursive: true });
  assert.ok(
    kept.some((f) => f.endsWith('.mp4')),
    `the conflicting file is kept in conflicts/: ${kept.join(', ')}`,
  );
  assert.equal((await segmentOf(grant.recordingId))?.state, 'stored');
  const file = path.join(h.dataDir, 'recordings', ...stored.storage_key!.split('/'));
  assert.equal(await sha256File(file), sha256, 'the stored bytes are the first upload');
});

test('of two uploads of one segment created side by side, only the first to finish counts; the second gets 409', async () => {
  const grant = await seedUploadGrant(db(), h.tenantId, { name: 'race' });
  const body = Buffer.alloc(128 * 1024, 7);
  const sha256 = (await import('node:crypto')).createHash('sha256').update(body).digest('hex');
  const a = await create(grant.token, grant.recordingId, sha256, body.length);
  const b = await create(grant.token, grant.recordingId, sha256, body.length);
  assert.equal(a.status, 201);
  assert.equal(b.status, 201);
  assert.equal((await patch(grant.token, a, body)).status, 204);
  const second = await patch(grant.token, b, body);
  assert.equal(second.status, 409, await second.text());
  const row = await until('the segment to be stored', async () => {
    const r = await segmentOf(grant.recordingId);
    return r?.state === 'stored' && r;
  });
  assert.equal(row.sha256, sha256);
  const ready = await fs.readdir(path.join(h.dataDir, 'spool', 'ready'));
  assert.deepEqual(ready, [], 'the second copy was not left in the spool');
});

test.run();
