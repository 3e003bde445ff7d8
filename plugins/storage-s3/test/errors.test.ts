import assert from 'node:assert/strict';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { StorageError, type StorageErrorCode } from '@deskrec/core';
import { suite } from 'uvu';
import { type FailureContext, toStorageError } from '../src/errors.js';

// The classification of failures s3rver cannot produce (it enforces no policies, verifies no SigV4
// signature and never throttles), on the SDK's own exception class as the client raises it.
const test = suite('storage-s3: failure classification');

const context: FailureContext = {
  action: 'writing',
  bucket: 'recordings',
  objectKey: 'tenant-a/2025/01/call.mp4',
  service: 'Amazon S3 (eu-west-1)',
  accessKeyId: 'AKIAEXAMPLE',
};

function s3Error(name: string, status: number, message = `${name} message`): S3ServiceException {
  return new S3ServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

const cases: [string, unknown, StorageErrorCode, boolean][] = [
  ['SignatureDoesNotMatch', s3Error('SignatureDoesNotMatch', 403), 'auth', false],
  ['InvalidAccessKeyId', s3Error('InvalidAccessKeyId', 403), 'auth', false],
  ['ExpiredToken', s3Error('ExpiredToken', 400), 'auth', false],
  ['AccessDenied', s3Error('AccessDenied', 403), 'permission', false],
  ['bodyless 403 (HEAD)', s3Error('403', 403, 'UnknownError'), 'permission', false],
  ['NoSuchBucket', s3Error('NoSuchBucket', 404), 'misconfigured', false],
  ['NoSuchKey', s3Error('NoSuchKey', 404), 'not-found', false],
  ['InvalidRange', s3Error('InvalidRange', 416), 'invalid-range', false],
  ['PreconditionFailed', s3Error('PreconditionFailed', 412), 'already-exists', false],
  ['PermanentRedirect (wrong region)', s3Error('PermanentRedirect', 301), 'misconfigured', false],
  ['SlowDown', s3Error('SlowDown', 503), 'unavailable', true],
  ['InternalError', s3Error('InternalError', 500), 'unavailable', true],
  ['an unnamed 502', s3Error('UnknownError', 502), 'unavailable', true],
  ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'unavailable', true],
  [
    'ECONNREFUSED',
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    'unavailable',
    true,
  ],
  ['TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'unavailable', true],
  ['NotImplemented', s3Error('NotImplemented', 501), 'unsupported', false],
  ['AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'aborted', false],
];

for (const [what, error, code, retryable] of cases) {
  test(`${what} → ${code}`, () => {
    const mapped = toStorageError(error, context);
    assert.ok(mapped instanceof StorageError);
    assert.equal(mapped.code, code, mapped.message);
    assert.equal(mapped.retryable, retryable);
    assert.equal(mapped.cause, error);
  });
}

test('auth failures name the access key id', () => {
  const mapped = toStorageError(s3Error('SignatureDoesNotMatch', 403), context);
  assert.match(mapped.message, /access key id "AKIAEXAMPLE"/);
  assert.match(mapped.message, /Amazon S3 \(eu-west-1\)/);
});

test('permission failures name the bucket and the key', () => {
  const mapped = toStorageError(s3Error('AccessDenied', 403), context);
  assert.match(mapped.message, /s3:\/\/recordings\/tenant-a\/2025\/01\/call\.mp4/);
});

test('a missing bucket is named, even from a bodyless HEAD 404 on the bucket', () => {
  const { objectKey: _, ...bucketOnly } = context;
  for (const error of [s3Error('NoSuchBucket', 404), s3Error('NotFound', 404)]) {
    const mapped = toStorageError(error, bucketOnly);
    assert.equal(mapped.code, 'misconfigured');
    assert.match(mapped.message, /Bucket "recordings" does not exist/);
  }
});

test('credentials from the AWS chain are said to be so when no key id is known', () => {
  const { accessKeyId: _, ...chain } = context;
  assert.match(
    toStorageError(s3Error('InvalidAccessKeyId', 403), chain).message,
    /credentials from the AWS chain/,
  );
});

test('a StorageError passes through unchanged', () => {
  const original = new StorageError('integrity', 'SHA-256 mismatch');
  assert.equal(toStorageError(original, context), original);
});

test.run();
