import assert from 'node:assert/strict';
import fs from 'node:fs';
import { silentLogger } from '@deskrec/core';
import { test } from 'uvu';
import type { SpooledSegment } from '../src/spool/spool.js';
import { Uploader } from '../src/upload/uploader.js';
import { oneSpooledSegment } from './support/one-spooled-segment.js';

test('a queued file that vanished from the spool leaves the queue and is reported, instead of retrying forever', async () => {
  const { root, spool, dir, file, item, stateDir } = await oneSpooledSegment(
    'cap-gone',
    'http://127.0.0.1:9',
  );
  fs.rmSync(file);
  const gone: SpooledSegment[] = [];
  const uploader = new Uploader({
    spool,
    logger: silentLogger,
    maxKbps: 0,
    retryMaxSeconds: 1,
    stateDir,
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
