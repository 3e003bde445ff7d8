import { StorageError } from '@deskrec/core';

/** Maps Node's filesystem error codes onto core's storage failure classes. */
export function toStorageError(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as NodeJS.ErrnoException)?.code;
  const detail = `${what}: ${(error as Error)?.message ?? String(error)}`;
  switch (code) {
    case 'ENOENT':
      return new StorageError('not-found', detail, { cause: error });
    case 'EEXIST':
      return new StorageError('already-exists', detail, { cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new StorageError('permission', `Permission denied: ${detail}`, {
        cause: error,
      });
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EIO':
    case 'EMFILE':
    case 'ENFILE':
    case 'EBUSY':
      return new StorageError('unavailable', detail, { cause: error });
    default:
      return new StorageError('unknown', detail, { cause: error });
  }
}
