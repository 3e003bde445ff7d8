import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { Spool } from '../src/spool/spool.js';

const capture = {
  captureId: 'cap_1',
  recordingId: 'rec_1',
  uploadToken: 't'.repeat(43),
  uploadUrl: 'http://127.0.0.1:6543',
  startedAt: new Date().toISOString(),
  monitors: ['0'],
};
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

test('reported segments and files a crashed capture never reported are all pending, with checksums', async () => {
  const spool = new Spool(fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-spool-')));
  const dir = await spool.beginCapture(capture);
  const first = Buffer.from('first segment');
  fs.writeFileSync(path.join(dir, '0-00000.mp4'), first);
  await spool.addSegment(
    {
      captureId: 'cap_1',
      index: 0,
      monitorId: '0',
      fileName: '0-00000.mp4',
      startedAt: capture.startedAt,
      durationMs: 10000,
      bytes: first.length,
      sha256: sha(first),
    },
    path.join(dir, '0-00000.mp4'),
  );
  const orphan = Buffer.from('partial segment left by kill -9');
  fs.writeFileSync(path.join(dir, '0-00001.mp4'), orphan);
  fs.writeFileSync(path.join(dir, '0-00002.mp4'), '');

  const pending = await spool.pending();
  assert.equal(pending.length, 2);
  assert.equal(pending[0]!.segment.index, 0);
  assert.equal(pending[1]!.segment.index, 1);
  assert.equal(pending[1]!.segment.sha256, sha(orphan));
  assert.equal(pending[1]!.segment.bytes, orphan.length);
  assert.equal(pending[1]!.capture.uploadToken, capture.uploadToken);
  assert.ok(!fs.existsSync(path.join(dir, '0-00002.mp4')), 'an empty file is dropped: it holds no video');

  assert.equal((await spool.pending(new Set(['cap_1']))).length, 0, 'a running capture is not touched');

  for (const item of pending) await spool.remove(item);
  assert.ok(!fs.existsSync(dir), 'the capture folder goes once everything is confirmed');
});

test.run();
