/**
 * Failure classes every storage plugin maps its errors onto, so the host knows whether to retry
 * (`unavailable`) or to stop and tell an admin (`auth`, `permission`, `misconfigured`).
 */
export type StorageErrorCode =
  | 'not-found'
  | 'already-exists'
  | 'invalid-range'
  | 'invalid-key'
  | 'integrity'
  | 'unsupported'
  | 'auth'
  | 'permission'
  | 'misconfigured'
  | 'unavailable'
  | 'aborted'
  | 'unknown';

const RETRYABLE: ReadonlySet<StorageErrorCode> = new Set(['unavailable', 'integrity', 'unknown']);

export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly code: StorageErrorCode;
  readonly retryable: boolean;

  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options?.retryable ?? RETRYABLE.has(code);
  }
}

export function isStorageError(error: unknown, code?: StorageErrorCode): error is StorageError {
  return error instanceof StorageError && (code === undefined || error.code === code);
}
