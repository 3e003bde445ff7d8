import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { isStorageError, StorageError } from '@deskrec/core';
import { generatedBytes } from '@deskrec/core/testing';
import { suite } from 'uvu';
import { LocalS3 } from './s3rver-server.js';

const MiB = 1024 * 1024;
const test = suite('storage-s3: failures against s3rver');
let s3: LocalS3;

test.before(async () => {
  s3 = await LocalS3.start();
  await s3.createBucket('failures');
});
test.after(async () => {
  await s3.stop();
});

async function failureOf(work: () => Promise<unknown>): Promise<StorageError> {
  try {
    await work();
  } catch (error) {
    assert.ok(isStorageError(error), `expected a StorageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

test('an unknown access key id is an auth failure naming the key id, never the secret', async () => {
  const secret = 'wrong-secret-do-not-print';
  const target = s3.target('failures', { accessKeyId: 'AKIANOTKNOWN', secretAccessKey: secret });
  try {
    for (const work of [
      () => target.put('a.bin', Readable.from([Buffer.from('x')])),
      () => target.get('a.bin'),
    ]) {
      const error = await failureOf(work);
      assert.equal(error.code, 'auth', error.message);
      assert.equal(error.retryable, false);
      assert.match(error.message, /InvalidAccessKeyId/);
      assert.match(error.message, /"AKIANOTKNOWN"/);
      assert.ok(!error.message.includes(secret), 'the secret must not appear');
    }
  } finally {
    await target.close();
  }
});

test.skip('a wrong secret is an auth failure (skipped: s3rver does not verify SigV4 signatures, so it accepts any secret for a known key id; the mapping of SignatureDoesNotMatch is covered in errors.test.ts)', () => {});

test('a missing bucket is a configuration error naming the bucket', async () => {
  const target = s3.target('no-such-bucket');
  try {
    const put = await failureOf(() => target.put('a.bin', Readable.from([Buffer.from('x')])));
    assert.equal(put.code, 'misconfigured');
    assert.match(put.message, /"no-such-bucket" does not exist/);
    const listed = await failureOf(async () => {
      for await (const _ of target.list('')) assert.fail('nothing to list');
    });
    assert.equal(listed.code, 'misconfigured');
    const check = await target.check();
    assert.equal(check.ok, false);
    assert.match(check.message, /Bucket "no-such-bucket" does not exist/);
  } finally {
    await target.close();
  }
});

test('ifNotExists is refused as unsupported when conditionalCreate is off', async () => {
  const target = s3.target('failures');
  try {
    assert.equal(target.capabilities.conditionalCreate, false);
    const error = await failureOf(() =>
      target.put('cond.bin', Readable.from([Buffer.from('x')]), { ifNotExists: true }),
    );
    assert.equal(error.code, 'unsupported');
    assert.equal(await target.stat('cond.bin'), undefined, 'nothing was written');
  } finally {
    await target.close();
  }
});

test('the server dying mid-upload is retryable and leaves no object', async () => {
  const dying = await LocalS3.start();
  try {
    await dying.createBucket('crash');
    const target = dying.target('crash');
    const source = generatedBytes(64 * MiB).stream();
    let sent = 0;
    // Kill the server once 20 MiB (several parts) have gone out: a crash in the middle of a multipart upload.
    source.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (sent >= 20 * MiB && sent - chunk.length < 20 * MiB) void dying.kill();
    });
    try {
      const error = await failureOf(() => target.put('crash/segment.mp4', source));
      assert.equal(error.code, 'unavailable', error.message);
      assert.equal(error.retryable, true);
      await new Promise((resolve) => setImmediate(resolve)); // destruction travels up the pipeline by ticks
      assert.ok(source.destroyed, 'the source is released, not left paused');
    } finally {
      await target.close();
    }
    // The same store served again: the key was never completed.
    const revived = await LocalS3.reopen(dying.directory);
    const after = revived.target('crash');
    try {
      assert.equal(await after.stat('crash/segment.mp4'), undefined, 'no object at the final key');
    } finally {
      await after.close();
      await revived.kill();
    }
  } finally {
    await dying.stop();
  }
});

test('an aborted put is reported as aborted and leaves no object', async () => {
  const target = s3.target('failures');
  const controller = new AbortController();
  const source = generatedBytes(32 * MiB).stream();
  let sent = 0;
  source.on('data', (chunk: Buffer) => {
    sent += chunk.length;
    if (sent >= 12 * MiB) controller.abort();
  });
  try {
    const error = await failureOf(() => target.put('aborted.bin', source, { signal: controller.signal }));
    assert.equal(error.code, 'aborted');
    assert.equal(await target.stat('aborted.bin'), undefined);
  } finally {
    await target.close();
  }
});

test.skip('access denied is a permission failure (skipped: s3rver enforces no bucket policies or ACLs — PutBucketPolicy answers NotImplemented — so no real request can be denied; the mapping of AccessDenied is covered in errors.test.ts)', () => {});

test.run();
