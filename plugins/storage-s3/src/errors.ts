import { StorageError } from '@deskrec/core';

/** What was being done when S3 failed: enough to name the bucket, the key and the access key id. */
export interface FailureContext {
  /** e.g. "writing", "reading", "listing", "checking". */
  action: string;
  bucket: string;
  /** Full object key in the bucket (prefix included), when the call was about one object. */
  objectKey?: string;
  /** Where requests go: the endpoint URL or "Amazon S3 (region)". */
  service: string;
  /** The access key id in use, when known: safe to show, unlike the secret. */
  accessKeyId?: string;
}

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

const AUTH = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidToken',
  'ExpiredToken',
  'TokenRefreshRequired',
  'InvalidClientTokenId',
  'CredentialsProviderError',
]);
const PERMISSION = new Set(['AccessDenied', 'AllAccessDisabled', 'Forbidden', 'AccountProblem']);
const MISCONFIGURED = new Set([
  'AuthorizationHeaderMalformed',
  'PermanentRedirect',
  'IllegalLocationConstraintException',
  'InvalidBucketName',
  'InvalidStorageClass',
  'InvalidEncryptionAlgorithmError',
  'KMS.NotFoundException',
  'KMS.DisabledException',
  'RequestTimeTooSkewed',
]);
const UNAVAILABLE = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'RequestTimeout',
  'TimeoutError',
  'RequestTimeoutException',
  'ThrottlingException',
  'ConditionalRequestConflict',
  'OperationAborted',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
]);

export function httpStatusOf(error: unknown): number | undefined {
  return (error as SdkLikeError)?.$metadata?.httpStatusCode;
}

/** The S3 error code ("NoSuchKey", "AccessDenied"...) or a Node network code ("ECONNREFUSED"). */
export function errorCodeOf(error: unknown): string {
  const e = error as SdkLikeError;
  if (e?.code && NETWORK.has(e.code)) return e.code;
  return e?.Code ?? e?.name ?? e?.code ?? 'Error';
}

function keyId(context: FailureContext): string {
  return context.accessKeyId
    ? `access key id ${JSON.stringify(context.accessKeyId)}`
    : 'credentials from the AWS chain';
}

/**
 * Maps an S3 SDK or network failure onto core's storage failure classes. Messages name the bucket, the
 * key and the access key id, never the secret: they end up in logs and in the admin portal.
 */
export function toStorageError(error: unknown, context: FailureContext): StorageError {
  if (error instanceof StorageError) return error;
  const code = errorCodeOf(error);
  const status = httpStatusOf(error);
  const where = context.objectKey
    ? `s3://${context.bucket}/${context.objectKey}`
    : `bucket "${context.bucket}"`;
  const detail = `${code}${(error as Error)?.message && (error as Error).message !== code ? `: ${(error as Error).message}` : ''}`;
  const options = { cause: error };

  if (code === 'AbortError')
    return new StorageError('aborted', `${context.action} ${where} was aborted`, options);
  if (AUTH.has(code)) {
    return new StorageError(
      'auth',
      `${context.service} rejected the ${keyId(context)} while ${context.action} ${where} (${detail})`,
      options,
    );
  }
  if (code === 'NoSuchBucket' || (code === 'NotFound' && !context.objectKey)) {
    return new StorageError(
      'misconfigured',
      `Bucket "${context.bucket}" does not exist at ${context.service}: create it or correct the bucket option`,
      options,
    );
  }
  if (PERMISSION.has(code) || (status === 403 && !AUTH.has(code))) {
    return new StorageError(
      'permission',
      `Access denied while ${context.action} ${where} with ${keyId(context)} (${detail}); check the bucket policy and the user's permissions`,
      options,
    );
  }
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) {
    return new StorageError('not-found', `${where} does not exist`, options);
  }
  if (code === 'InvalidRange' || status === 416) {
    return new StorageError('invalid-range', `The requested range of ${where} starts past its end`, options);
  }
  if (code === 'PreconditionFailed' || status === 412) {
    return new StorageError('already-exists', `${where} already exists`, options);
  }
  if (MISCONFIGURED.has(code)) {
    return new StorageError(
      'misconfigured',
      `${context.service} refused ${context.action} ${where}: check region, endpoint, storage class and encryption options (${detail})`,
      options,
    );
  }
  if (code === 'NotImplemented' || code === 'MethodNotAllowed' || status === 501) {
    return new StorageError(
      'unsupported',
      `${context.service} does not support a request needed for ${context.action} ${where} (${detail})`,
      options,
    );
  }
  if (UNAVAILABLE.has(code) || NETWORK.has(code) || (status !== undefined && status >= 500)) {
    return new StorageError(
      'unavailable',
      `${context.service} is unavailable while ${context.action} ${where} (${detail}); will retry`,
      options,
    );
  }
  return new StorageError('unknown', `${context.action} ${where} failed (${detail})`, options);
}
