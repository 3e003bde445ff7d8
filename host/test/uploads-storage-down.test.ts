import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import { type E2eHost, startE2eHost, until } from './support/e2e-host.js';
import { seedUploadGrant, tusUploadBuffer } from './support/uploads-fixtures.js';

let h: E2eHost;

test.before(async () => {
  h = await startE2eHost();
});

test.after(async () => {
  await h?.stop();
  await fs.rm(h.dataDir, { recursive: true, force: true });
});

const db = () => h.host.services().database.db;

test('segments wait in the host spool while the storage target is down, then land with nothing lost', async () => {
  // The target's root is a plain file: every put fails until it is replaced by a folder.
  const root = path.join(h.dataDir, 'nas');
  await fs.writeFile(root, 'the NAS share is not mounted');
  const target = await h.api('POST', '/api/storage-targets', {
    name: 'NAS',
    kind: 'local',
    options: { root },
  });
  assert.equal(target.status, 201, JSON.stringify(target.body));
  const settings = await h.api('GET', '/api/settings');
  const put = await h.api('PUT', '/api/settings', { ...settings.body, storageTargetId: target.body.id });
  assert.equal(put.status, 200, JSON.stringify(put.body));

  const grant = await seedUploadGrant(db(), h.tenantId, { name: 'down' });
  const bodies = [0, 1, 2].map(() => randomBytes(300 * 1024));
  for (const [index, body] of bodies.entries())
    assert.equal(await tusUploadBuffer(h.started.url, grant, index, body), 201);

  const waiting = await until('every segment to fail its first store attempt', async () => {
    const rows = await db().selectFrom('segments').selectAll().orderBy('idx').execute();
    return rows.length === 3 && rows.every((r) => r.error) && rows;
  });
  for (const row of waiting) {
    assert.equal(row.state, 'spooled');
    assert.ok(row.error, 'the storage error is noted on the segment');
    await fs.access(row.spool_path!);
  }
  assert.equal((await fs.readdir(path.join(h.dataDir, 'spool', 'ready'))).length, 3);

  await fs.rm(root);
  await fs.mkdir(root);
  const stored = await until(
    'the segments to land once the target is back',
    async () => {
      const rows = await db().selectFrom('segments').selectAll().orderBy('idx').execute();
      return rows.every((r) => r.state === 'stored') && rows;
    },
    90_000,
  );
  for (const [index, row] of stored.entries()) {
    assert.equal(row.storage_target_id, target.body.id);
    const bytes = await fs.readFile(path.join(root, ...row.storage_key!.split('/')));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), row.sha256);
    assert.deepEqual(bytes, bodies[index]);
  }
  assert.deepEqual(await fs.readdir(path.join(h.dataDir, 'spool', 'ready')), [], 'the spool is emptied');
  const recording = await db()
    .selectFrom('recordings')
    .selectAll()
    .where('id', '=', grant.recordingId)
    .executeTakeFirstOrThrow();
  assert.notEqual(recording.state, 'failed');
});

test.run();
