import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { isStorageError } from '@deskrec/core';
import { bytesOf, digestOf, failingStream, generatedBytes } from '@deskrec/core/testing';
import { suite } from 'uvu';
import type { S3StorageTarget } from '../src/index.js';
import { LocalS3 } from './s3rver-server.js';

const MiB = 1024 * 1024;
const test = suite('storage-s3: multipart uploads against s3rver');
let s3: LocalS3;

test.before(async () => {
  s3 = await LocalS3.start();
  await s3.createBucket('multipart');
});
test.after(async () => {
  await s3.stop();
});

interface Sent {
  command: string;
  input: Record<string, unknown>;
  headers: Record<string, string>;
  error?: string;
}

/** Records each request the target's real client sends to s3rver, as signed, with any error code. */
function recordRequests(target: S3StorageTarget): Sent[] {
  const sent: Sent[] = [];
  target.client.middlewareStack.add(
    (next, context) => async (args) => {
      const entry: Sent = {
        command: context.commandName ?? '?',
        input: args.input as Record<string, unknown>,
        headers: { ...(args.request as { headers: Record<string, string> }).headers },
      };
      sent.push(entry);
      try {
        return await next(args);
      } catch (error) {
        entry.error = (error as Error).name;
        throw error;
      }
    },
    { step: 'finalizeRequest', name: 'recordRequests', priority: 'low' },
  );
  return sent;
}

test('a large stream is uploaded in parts and reads back intact', async () => {
  const target = s3.target('multipart', { prefix: 'mp', checksum: true });
  const sent = recordRequests(target);
  const source = generatedBytes(23 * MiB);
  try {
    const put = await target.put('big/segment.mp4', source.stream(), {
      sha256: source.sha256,
      size: 23 * MiB,
    });
    assert.equal(put.sha256, source.sha256);
    const parts = sent.filter((s) => s.command === 'UploadPartCommand');
    assert.equal(parts.length, 5, '23 MiB in 5 MiB parts');
    assert.equal(sent.filter((s) => s.command === 'CompleteMultipartUploadCommand').length, 1);
    assert.equal(
      sent.find((s) => s.command === 'CreateMultipartUploadCommand')?.input.ChecksumAlgorithm,
      'SHA256',
    );
    for (const part of parts)
      assert.match(part.headers['x-amz-checksum-sha256'] ?? '', /^[A-Za-z0-9+/]{43}=$/);
    const got = await target.get('big/segment.mp4');
    assert.equal(got.size, 23 * MiB);
    assert.equal((await digestOf(got.body)).sha256, source.sha256);
  } finally {
    await target.close();
  }
});

test('a SHA-256 mismatch is caught before the upload completes: the old object stays', async () => {
  const target = s3.target('multipart');
  const sent = recordRequests(target);
  try {
    await target.put('keep.bin', Readable.from([Buffer.from('previous version')]));
    const source = generatedBytes(12 * MiB);
    try {
      await target.put('keep.bin', source.stream(), { sha256: 'f'.repeat(64) });
      assert.fail('a wrong sha256 must fail the put');
    } catch (error) {
      assert.ok(isStorageError(error, 'integrity'), String(error));
    }
    assert.ok(
      sent.some((s) => s.command === 'CreateMultipartUploadCommand'),
      'went multipart',
    );
    assert.ok(!sent.some((s) => s.command === 'CompleteMultipartUploadCommand'), 'never completed');
    assert.equal((await bytesOf((await target.get('keep.bin')).body)).toString(), 'previous version');
  } finally {
    await target.close();
  }
});

test('a multipart upload whose source fails is aborted, never completed', async () => {
  const target = s3.target('multipart');
  const sent = recordRequests(target);
  try {
    try {
      await target.put('failed/segment.mp4', failingStream(17 * MiB));
      assert.fail('a failing source must fail the put');
    } catch (error) {
      assert.ok(isStorageError(error, 'aborted'), String(error));
      assert.equal(error.retryable, true);
      assert.match(error.message, /simulated network failure/);
    }
    const created = sent.find((s) => s.command === 'CreateMultipartUploadCommand');
    assert.ok(created, 'went multipart');
    const abort = sent.find((s) => s.command === 'AbortMultipartUploadCommand');
    assert.ok(abort, 'the upload was aborted');
    assert.equal(abort.input.Key, 'failed/segment.mp4');
    assert.ok(!sent.some((s) => s.command === 'CompleteMultipartUploadCommand'));
    assert.equal(await target.stat('failed/segment.mp4'), undefined);
  } finally {
    await target.close();
  }
});

test('with conditionalCreate on, ifNotExists puts send If-None-Match: * where S3 checks it', async () => {
  // s3rver ignores the header, so this checks the requests sent; Amazon S3 answers 412 to them when the key exists.
  const target = s3.target('multipart', { conditionalCreate: true });
  const sent = recordRequests(target);
  try {
    assert.equal(target.capabilities.conditionalCreate, true);
    await target.put('cond/small.bin', Readable.from([Buffer.from('x')]), { ifNotExists: true });
    await target.put('cond/large.bin', generatedBytes(11 * MiB).stream(), { ifNotExists: true });
    const put = sent.find((s) => s.command === 'PutObjectCommand');
    const complete = sent.find((s) => s.command === 'CompleteMultipartUploadCommand');
    assert.equal(put?.headers['if-none-match'], '*');
    assert.equal(complete?.headers['if-none-match'], '*');
    await target.put('cond/plain.bin', Readable.from([Buffer.from('y')]));
    assert.equal(sent.at(-1)?.headers['if-none-match'], undefined, 'only when asked');
  } finally {
    await target.close();
  }
});

test.skip('after a failed upload ListMultipartUploads is empty (skipped: s3rver 3.7 implements neither ListMultipartUploads — NotImplemented — nor AbortMultipartUpload — MethodNotAllowed —, so its store keeps the parts; the test above checks that the plugin sends the abort for the upload it created)', () => {});

test.run();
