import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@deskrec/core';
import { test } from 'uvu';
import type { SpooledSegment } from '../src/spool/spool.js';
import { Uploader } from '../src/upload/uploader.js';
import { oneSpooledSegment } from './support/one-spooled-segment.js';

const EXPIRED =
  'the upload token expired at 2026-12-01T10:00:00.000Z: its capture ended and nothing was uploaded with it for 168 h';

test('an expired upload token is final: the file is kept aside and reported, not retried forever', async () => {
  let requests = 0;
  const host = http.createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json', 'tus-resumable': '1.0.0' });
    res.end(JSON.stringify({ error: { code: 401, message: EXPIRED } }));
  });
  await new Promise<void>((r) => host.listen(0, '127.0.0.1', r));
  const { root, spool, file, item, stateDir } = await oneSpooledSegment(
    'cap-old',
    `http://127.0.0.1:${(host.address() as AddressInfo).port}`,
  );
  const aside: { item: SpooledSegment; reason: string }[] = [];
  const uploader = new Uploader({
    spool,
    logger: silentLogger,
    maxKbps: 0,
    retryMaxSeconds: 1,
    stateDir,
    onSetAside: (i, reason) => aside.push({ item: i, reason }),
  });
  uploader.enqueue(item);
  await uploader.drained();
  await uploader.stop();
  await new Promise((r) => host.close(r));
  assert.equal(requests, 1, 'asked once, not retried');
  assert.equal(aside.length, 1);
  assert.equal(aside[0]!.reason, EXPIRED);
  assert.ok(!fs.existsSync(file), 'moved out of the upload queue');
  fs.rmSync(root, { recursive: true, force: true });
});

test.run();
