import { createHash, type Hash } from 'node:crypto';
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream';
import { StorageError } from '../ports/storage-error.js';
import type { PutOptions, PutResult } from '../ports/storage-target.js';

/** Passes bytes through while counting them and computing their SHA-256. */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  bytes = 0;
  private digest?: string;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** The SHA-256 in lowercase hex; valid once the stream has ended. */
  get sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }
}

export function toReadable(body: Readable | AsyncIterable<Uint8Array>): Readable {
  return body instanceof Readable ? body : Readable.from(body, { objectMode: false });
}

/**
 * Pipes `body` through a new DigestStream and returns it; an error in `body` destroys the digest stream
 * too, so whoever consumes it sees the failure instead of waiting forever.
 */
export function digesting(body: Readable | AsyncIterable<Uint8Array>): DigestStream {
  const digest = new DigestStream();
  pipeline(toReadable(body), digest, () => {});
  return digest;
}

/** Compares what was streamed with what the caller announced; throws `integrity` on a mismatch. */
export function checkIntegrity(
  key: string,
  digest: DigestStream,
  options: PutOptions | undefined,
): PutResult {
  const result = { key, size: digest.bytes, sha256: digest.sha256 };
  if (options?.size !== undefined && options.size !== result.size) {
    throw new StorageError(
      'integrity',
      `Size mismatch for ${key}: expected ${options.size} bytes, got ${result.size}`,
    );
  }
  if (options?.sha256 !== undefined && options.sha256.toLowerCase() !== result.sha256) {
    throw new StorageError(
      'integrity',
      `SHA-256 mismatch for ${key}: expected ${options.sha256}, got ${result.sha256}`,
    );
  }
  return result;
}

/** Resolves an inclusive range against an object's size; throws `invalid-range` when it starts past the end. */
export function resolveRange(
  key: string,
  size: number,
  range: { start: number; end?: number } | undefined,
): { start: number; end: number } {
  if (!range) return { start: 0, end: size - 1 };
  const { start } = range;
  if (
    !Number.isInteger(start) ||
    start < 0 ||
    (range.end !== undefined && (!Number.isInteger(range.end) || range.end < start))
  ) {
    throw new StorageError('invalid-range', `Invalid range ${JSON.stringify(range)} for ${key}`);
  }
  if (start >= size) {
    throw new StorageError('invalid-range', `Range starts at byte ${start} but ${key} has ${size} bytes`);
  }
  return { start, end: Math.min(range.end ?? size - 1, size - 1) };
}
