import type { Readable } from 'node:stream';
import { StorageError } from '../ports/storage-error.js';

/**
 * Destroys a transfer's stream (a put's digest stream, a get's body) with an `aborted` StorageError
 * ("`what` was aborted") when `signal` aborts, at once if it already has: the caller sees the contract's
 * error, not the transport's. The listener goes when the stream closes.
 */
export function failWhenAborted(signal: AbortSignal | undefined, stream: Readable, what: string): void {
  if (!signal) return;
  const onAbort = () => stream.destroy(new StorageError('aborted', `${what} was aborted`));
  if (signal.aborted) {
    onAbort();
    return;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  stream.once('close', () => signal.removeEventListener('abort', onAbort));
}
