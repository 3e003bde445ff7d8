import { StorageError } from '@deskrec/core';

/** Maps an HTTP status of a WebDAV answer onto core's failure classes. */
export function statusError(status: number, what: string): StorageError {
  const detail = `${what}: the server answered ${status}`;
  if (status === 401) return new StorageError('auth', `${detail} (check username and password)`);
  if (status === 403) return new StorageError('permission', `${detail} (the account may not write here)`);
  if (status === 404 || status === 410) return new StorageError('not-found', detail);
  if (status === 409) return new StorageError('misconfigured', `${detail} (a parent collection is missing)`);
  if (status === 412) return new StorageError('already-exists', detail);
  if (status === 416) return new StorageError('invalid-range', detail);
  if (status === 507) return new StorageError('unavailable', `${detail} (the server is out of space)`);
  if (status >= 500 || status === 408 || status === 429) return new StorageError('unavailable', detail);
  return new StorageError('unknown', detail);
}

/** Network failures are worth retrying: the host's store job backs off and tries again. */
export function networkError(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  return new StorageError(
    'unavailable',
    `${what}: ${code ? `${code} ` : ''}${(error as Error)?.message ?? error}`,
    {
      cause: error,
    },
  );
}
