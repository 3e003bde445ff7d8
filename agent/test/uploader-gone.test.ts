import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@deskrec/core';
import { test } from 'uvu';
import { Spool, type SpooledSegment } from '../src/spool/spool.js';
import { Uploader } from '../src/upload/uploader.js';

test('a queued file that vanished from the spool leaves the queue and is reported, instead of retrying forever', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-gone-'));
  const spool = new Spool(path.join(root, 'spool'));
  const dir = await spool.beginCapture({
    captureId: 'cap-gone',
    recordingId: 'rec-gone',
    uploadToken: 't'.repeat(43),
    uploadUrl: 'http://127.0.0.1:9',
    startedAt: new Date().toISOString(),
    monitors: ['0'],
  });
  const file = path.join(dir, 'cap-gone-m0-00000.mp4');
  fs.writeFileSync(file, 'video');
  const item = await spool.addSegment(
    {
      captureId: 'cap-gone',
      index: 0,
      monitorId: '0',
      fileName: path.basename(file),
      startedAt: new Date().toISOString(),
      durationMs: 1000,
      bytes: 5,
      sha256: 'a'.repeat(64),
    },
    file,
  );
  fs.rmSync(file);
  const gone: SpooledSegment[] = [];
  const uploader = new Uploader({
    spool,
    logger: silentLogger,
    maxKbps: 0,
    retryMaxSeconds: 1,
    stateDir: path.join(root, 'state'),
    onGone: (i) => gone.push(i),
  });
  uploader.enqueue(item);
  await uploader.drained();
  await uploader.stop();
  assert.equal(gone.length, 1);
  assert.equal(gone[0]!.segment.fileName, 'cap-gone-m0-00000.mp4');
  assert.ok(!fs.existsSync(dir), 'its sidecar and folder are gone too');
  fs.rmSync(root, { recursive: true, force: true });
});

test.run();
