import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import { type E2eHost, startE2eHost } from './support/e2e-host.js';
import { encodeMetadata, seedUploadGrant, segmentMetadata } from './support/uploads-fixtures.js';
import { streamRequest } from './support/uploads-stream.js';

const MAX = 8 * 1024 * 1024;
const BODY = 512 * 1024 * 1024;
let h: E2eHost;

test.before(async () => {
  h = await startE2eHost([`uploads: { maxSegmentBytes: ${MAX} }`]);
});

test.after(async () => {
  await h?.stop();
  await fs.rm(h.dataDir, { recursive: true, force: true });
});

const endpoint = () => `${h.started.url}/api/uploads`;
const db = () => h.host.services().database.db;

async function spoolFiles(): Promise<string[]> {
  const base = path.join(h.dataDir, 'spool');
  const incoming = await fs.readdir(path.join(base, 'incoming'));
  const ready = await fs.readdir(path.join(base, 'ready'));
  return [...incoming, ...ready];
}

/** A creation-with-upload POST streaming `BODY` bytes: the body would be read only if the request were accepted. */
function create(headers: Record<string, string>, declared: number, recordingId = 'rec-x') {
  return streamRequest(endpoint(), {
    method: 'POST',
    total: BODY,
    headers: {
      'tus-resumable': '1.0.0',
      'upload-length': String(declared),
      'upload-metadata': encodeMetadata(
        segmentMetadata(recordingId, 0, { sha256: 'a'.repeat(64), bytes: declared }),
      ),
      'content-type': 'application/offset+octet-stream',
      ...headers,
    },
  });
}

test('an upload declaring more than uploads.maxSegmentBytes is refused with 413 before its body is read', async () => {
  const grant = await seedUploadGrant(db(), h.tenantId, { name: 'big' });
  const rssBefore = process.memoryUsage().rss;
  const answer = await create({ authorization: `Bearer ${grant.token}` }, MAX + 1, grant.recordingId);
  assert.equal(answer.status, 413, answer.body);
  assert.ok(
    answer.writtenAtAnswer < BODY / 4,
    `answered after ${answer.writtenAtAnswer} of ${BODY} body bytes were written`,
  );
  assert.deepEqual(await spoolFiles(), [], 'nothing reaches the spool');
  assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'memory stays flat');
});

test('uploads without a bearer token or with an unknown one get 401 before their body is read', async () => {
  for (const headers of [
    {} as Record<string, string>,
    { authorization: 'Bearer not-a-real-token-0123456789abcdef' },
    { authorization: 'Basic eDp5' },
  ]) {
    const answer = await create(headers, MAX);
    assert.equal(answer.status, 401, answer.body);
    assert.ok(answer.writtenAtAnswer < BODY / 4, `answered after ${answer.writtenAtAnswer} bytes`);
  }
  // A PATCH to an upload id works the same way: the token is checked first.
  const patch = await streamRequest(`${endpoint()}/0123456789abcdef0123456789abcdef`, {
    method: 'PATCH',
    total: BODY,
    headers: {
      'tus-resumable': '1.0.0',
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    },
  });
  assert.equal(patch.status, 401, patch.body);
  assert.ok(patch.writtenAtAnswer < BODY / 4, `answered after ${patch.writtenAtAnswer} bytes`);
  assert.deepEqual(await spoolFiles(), []);
});

test('pending and forbidden workstations may not upload (403), even with a valid token', async () => {
  for (const state of ['pending', 'forbidden'] as const) {
    const grant = await seedUploadGrant(db(), h.tenantId, { name: `ws-${state}`, state });
    const answer = await create({ authorization: `Bearer ${grant.token}` }, MAX, grant.recordingId);
    assert.equal(answer.status, 403, answer.body);
    assert.match(answer.body, new RegExp(state));
    assert.ok(answer.writtenAtAnswer < BODY / 4, `answered after ${answer.writtenAtAnswer} bytes`);
  }
  assert.deepEqual(await spoolFiles(), []);
  const segments = await db().selectFrom('segments').selectAll().execute();
  assert.deepEqual(segments, [], 'no segment row was created for a refused upload');
});

test.run();
