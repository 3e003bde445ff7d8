import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

const BLOCK = 1024 * 1024;

/**
 * A deterministic stream of `size` bytes generated on the fly (never held whole in memory), plus the
 * SHA-256 it will have. Each 1 MiB block is a shared random block stamped with its index, so blocks differ.
 */
export function generatedBytes(
  size: number,
  seed: Buffer = randomBytes(BLOCK),
): { stream(): Readable; sha256: string } {
  const blockAt = (i: number) => {
    const block = Buffer.from(seed);
    block.writeUInt32BE(i, 0);
    return block;
  };
  const hash = createHash('sha256');
  for (let offset = 0, i = 0; offset < size; offset += BLOCK, i++) {
    hash.update(blockAt(i).subarray(0, Math.min(BLOCK, size - offset)));
  }
  const sha256 = hash.digest('hex');
  return {
    sha256,
    stream() {
      let offset = 0;
      let i = 0;
      return new Readable({
        read() {
          if (offset >= size) {
            this.push(null);
            return;
          }
          const chunk = blockAt(i++).subarray(0, Math.min(BLOCK, size - offset));
          offset += chunk.length;
          this.push(chunk);
        },
      });
    },
  };
}

/** Reads a stream to its end, returning its size and SHA-256 without keeping the bytes. */
export async function digestOf(stream: AsyncIterable<Uint8Array>): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

/** Collects a (small) stream into a buffer; for test assertions on short objects only. */
export async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A stream that yields `bytesBeforeError` bytes, then fails: a client or network dying mid-upload. */
export function failingStream(bytesBeforeError: number, message = 'simulated network failure'): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytesBeforeError) {
        this.destroy(new Error(message));
        return;
      }
      const chunk = Buffer.alloc(Math.min(64 * 1024, bytesBeforeError - sent), 7);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Samples resident memory while `work` runs; returns the peak growth over the starting value. */
export async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}
