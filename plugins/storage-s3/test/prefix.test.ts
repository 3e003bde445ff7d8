import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { bytesOf } from '@deskrec/core/testing';
import { suite } from 'uvu';
import type { S3StorageTarget } from '../src/index.js';
import { LocalS3 } from './s3rver-server.js';

const test = suite('storage-s3: prefixes against s3rver');
let s3: LocalS3;

test.before(async () => {
  s3 = await LocalS3.start();
  await s3.createBucket('shared');
});
test.after(async () => {
  await s3.stop();
});

async function keys(target: S3StorageTarget, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for await (const info of target.list(prefix)) found.push(info.key);
  return found.sort();
}

test('targets with different prefixes in one bucket never see each other', async () => {
  const a = s3.target('shared', { prefix: 'tenant-a' });
  const b = s3.target('shared', { prefix: '/tenant-b/' }); // slashes around the prefix are trimmed
  const ab = s3.target('shared', { prefix: 'tenant-a/b' });
  const root = s3.target('shared');
  try {
    await a.put('2025/x.mp4', Readable.from([Buffer.from('from a')]));
    await b.put('2025/x.mp4', Readable.from([Buffer.from('from b')]));
    await ab.put('y.mp4', Readable.from([Buffer.from('from a/b')]));
    assert.equal((await bytesOf((await a.get('2025/x.mp4')).body)).toString(), 'from a');
    assert.equal((await bytesOf((await b.get('2025/x.mp4')).body)).toString(), 'from b');
    assert.deepEqual(await keys(b), ['2025/x.mp4']);
    assert.deepEqual(await keys(a), ['2025/x.mp4', 'b/y.mp4'], 'a nested prefix is inside its parent');
    assert.deepEqual(await keys(ab), ['y.mp4']);
    assert.deepEqual(await keys(root, 'tenant-'), [
      'tenant-a/2025/x.mp4',
      'tenant-a/b/y.mp4',
      'tenant-b/2025/x.mp4',
    ]);
    await a.delete('2025/x.mp4');
    assert.equal(await a.stat('2025/x.mp4'), undefined);
    assert.equal((await b.stat('2025/x.mp4'))?.size, 6, "deleting in a leaves b's object");
  } finally {
    await Promise.all([a, b, ab, root].map((t) => t.close()));
  }
});

test('a prefix that is a plain string, not a folder, does not leak into a sibling', async () => {
  const tenant = s3.target('shared', { prefix: 'rec' });
  const sibling = s3.target('shared', { prefix: 'recordings' });
  try {
    await sibling.put('z.mp4', Readable.from([Buffer.from('z')]));
    assert.deepEqual(await keys(tenant), [], '"rec" must not list "recordings/..."');
    await tenant.put('z.mp4', Readable.from([Buffer.from('zz')]));
    assert.equal((await sibling.stat('z.mp4'))?.size, 1);
  } finally {
    await Promise.all([tenant.close(), sibling.close()]);
  }
});

test.run();
