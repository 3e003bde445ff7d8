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
import { type CountingProxy, startCountingProxy } from './support/uploads-proxy.js';

let h: E2eHost;
let proxy: CountingProxy;

test.before(async () => {
  h = await startE2eHost();
  proxy = await startCountingProxy(Number(new URL(h.started.url).port));
});

test.after(async () => {
  await proxy?.close();
  await h?.stop();
  await fs.rm(h.dataDir, { recursive: true, force: true });
});

const db = () => h.host.services().database.db;
const spool = (sub: string) => fs.readdir(path.join(h.dataDir, 'spool', sub));

test('bytes that differ from the declared SHA-256 are refused with 460 and nothing is spooled', async () => {
  const grant = await seedUploadGrant(db(), h.tenantId, { name: 'raw' });
  const body = Buffer.alloc(256 * 1024, 1);
  const auth = { authorization: `Bearer ${grant.token}`, 'tus-resumable': '1.0.0' };
  const created = await fetch(`${h.started.url}/api/uploads`, {
    method: 'POST',
    headers: {
      ...auth,
      'upload-length': String(body.length),
      'upload-metadata': encodeMetadata(
        segmentMetadata(grant.recordingId, 0, { sha256: 'b'.repeat(64), bytes: body.length }),
      ),
    },
  });
  assert.equal(created.status, 201, await created.text());
  const location = new URL(created.headers.get('location')!, `${h.started.url}/api/uploads/`).toString();
  const patched = await fetch(location, {
    method: 'PATCH',
    headers: { ...auth, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    body,
  });
  assert.equal(patched.status, 460);
  assert.match(await patched.text(), /SHA-256 mismatch/);
  assert.deepEqual(await spool('ready'), []);
  assert.deepEqual(await spool('incoming'), [], 'the rejected bytes are removed');
  const segment = await db()
    .selectFrom('segments')
    .selectAll()
    .where('recording_id', '=', grant.recordingId)
    .executeTakeFirstOrThrow();
  assert.equal(segment.state, 'on-agent');
  assert.match(segment.error ?? '', /checksum mismatch/);
  const jobs = await db().selectFrom('jobs').selectAll().where('kind', '=', 'store-segment').execute();
  assert.deepEqual(jobs, [], 'no store job for a rejected upload');
});

test("a segment corrupted in transit is resent by the agent's uploader and lands intact", async () => {
  const grant = await seedUploadGrant(db(), h.tenantId, { name: 'agent' });
  const work = path.join(h.dataDir, 'corruption-agent');
  await fs.mkdir(work, { recursive: true });
  const source = path.join(work, 'source.mp4');
  const bytes = 4 * 1024 * 1024;
  await writeRandomFile(source, bytes);
  // Flip one byte well inside the first PATCH body (request headers are far shorter than 1 MiB).
  proxy.corruptAt(1024 * 1024);
  const upload = await agentUpload({
    agentDir: work,
    source,
    uploadUrl: `http://127.0.0.1:${proxy.port}`,
    recordingId: grant.recordingId,
    token: grant.token,
  });
  await upload.confirmed();
  await upload.uploader.stop();
  assert.ok(proxy.bytesUp() > 2 * bytes, `the file was sent twice (${proxy.bytesUp()} bytes went up)`);
  const segment = await until('the segment to be stored', async () => {
    const row = await db()
      .selectFrom('segments')
      .selectAll()
      .where('recording_id', '=', grant.recordingId)
      .executeTakeFirst();
    return row?.state === 'stored' && row;
  });
  assert.equal(segment.sha256, upload.sha256);
  const stored = path.join(h.dataDir, 'recordings', ...segment.storage_key!.split('/'));
  assert.equal(await sha256File(stored), upload.sha256);
});

test.run();
