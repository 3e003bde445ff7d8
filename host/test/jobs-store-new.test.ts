import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { bytesOf, MemoryStorageTarget, sha256Hex } from '@deskrec/core/testing';
import { test } from 'uvu';
import { storeNew } from '../src/jobs/store-new.js';

const segment = (bytes: Buffer) => ({
  open: () => Readable.from([bytes]),
  expected: { size: bytes.length, sha256: sha256Hex(bytes) },
});

async function read(target: MemoryStorageTarget, key: string): Promise<Buffer> {
  return bytesOf((await target.get(key)).body);
}

test('with conditionalCreate, a name taken by other bytes sends the segment to name-2, name-3', async () => {
  const target = new MemoryStorageTarget();
  const other = randomBytes(1000);
  await target.put('day/rec.mp4', Readable.from([other]));
  await target.put('day/rec-2.mp4', Readable.from([randomBytes(10)]));
  const mine = randomBytes(2000);
  const { open, expected } = segment(mine);
  const stored = await storeNew(target, 'day/rec.mp4', open, expected);
  assert.equal(stored.key, 'day/rec-3.mp4');
  assert.ok((await read(target, 'day/rec.mp4')).equals(other), 'the other recording is untouched');
  assert.ok((await read(target, 'day/rec-3.mp4')).equals(mine));
});

test('with conditionalCreate, the same bytes already at the key count as stored (a retried job)', async () => {
  const target = new MemoryStorageTarget();
  const mine = randomBytes(3000);
  const { open, expected } = segment(mine);
  assert.equal((await storeNew(target, 'a/b.mp4', open, expected)).key, 'a/b.mp4');
  const again = await storeNew(target, 'a/b.mp4', open, expected);
  assert.deepEqual(again, { key: 'a/b.mp4', ...expected });
  const keys: string[] = [];
  for await (const info of target.list('a/')) keys.push(info.key);
  assert.deepEqual(keys, ['a/b.mp4'], 'nothing stored twice');
});

test('without conditionalCreate, a put replaces (the target cannot refuse atomically)', async () => {
  const inner = new MemoryStorageTarget();
  const plain = Object.assign(Object.create(inner) as MemoryStorageTarget, {
    capabilities: { ...inner.capabilities, conditionalCreate: false },
  });
  await inner.put('x.mp4', Readable.from([randomBytes(10)]));
  const mine = randomBytes(500);
  const { open, expected } = segment(mine);
  assert.equal((await storeNew(plain, 'x.mp4', open, expected)).key, 'x.mp4');
  assert.ok((await read(inner, 'x.mp4')).equals(mine));
});

test.run();
