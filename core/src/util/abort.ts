import type { Readable } from 'node:stream';
import { StorageError } from '../ports/storage-error.js';

/**
 * Destroys a download's body with an `aborted` StorageError when `signal` aborts (the caller sees the
 * contract's error, not the transport's), and forgets the listener once the body closes.
 */
export function abortDownloadOn(signal: AbortSignal | undefined, body: Readable, key: string): void {
  if (!signal) return;
  const onAbort = () => body.destroy(new StorageError('aborted', `Download of ${key} was aborted`));
  if (signal.aborted) {
    onAbort();
    return;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  body.once('close', () => signal.removeEventListener('abort', onAbort));
}
