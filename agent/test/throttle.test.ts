import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'uvu';
import { Backoff } from '../src/controller/backoff.js';
import { Throttle } from '../src/upload/throttle.js';

test('the bandwidth cap delays bytes instead of dropping or reordering them', async () => {
  const chunks = Array.from({ length: 8 }, (_, i) => Buffer.alloc(16 * 1024, i));
  const received: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    new Throttle(4096),
    new Writable({
      write(chunk, _e, cb) {
        received.push(chunk);
        cb();
      },
    }),
  );
  assert.deepEqual(Buffer.concat(received), Buffer.concat(chunks));
});

test('backoff grows, stays within its cap, and resets', () => {
  const backoff = new Backoff(100, 1000, () => 1);
  const delays = Array.from({ length: 8 }, () => backoff.next());
  assert.deepEqual(delays.slice(0, 4), [100, 200, 400, 800]);
  assert.ok(delays.every((d) => d <= 1000));
  backoff.reset();
  assert.equal(backoff.next(), 100);
  const jittered = new Backoff(100, 1000, () => 0);
  assert.equal(jittered.next(), 50, 'jitter spreads reconnects down to half the step');
});

test.run();
