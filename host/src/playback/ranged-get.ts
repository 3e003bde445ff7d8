import { Readable } from 'node:stream';
import { type ByteRange, type GetResult, resolveRange, type StorageTarget } from '@deskrec/core';

/**
 * Yields the bytes `start..end` (inclusive) of `source`: skips what comes before, stops reading at the end
 * and destroys the source there (the rest is never fetched). Nothing is held beyond one chunk.
 */
async function* slice(source: Readable, start: number, end: number): AsyncGenerator<Buffer> {
  let offset = 0;
  try {
    for await (const chunk of source) {
      const bytes = chunk as Buffer;
      const next = offset + bytes.length;
      if (next > start) {
        yield bytes.subarray(Math.max(0, start - offset), Math.min(bytes.length, end + 1 - offset));
      }
      offset = next;
      if (offset > end) return;
    }
  } finally {
    source.destroy();
  }
}

/**
 * A ranged read from any target. One that declares `rangeRead` serves the range itself; for one that does
 * not (it refuses `range` with `unsupported`), the whole object is read as a stream and cut to the range on
 * the way, so a player's Range requests work against every honest target.
 */
export async function rangedGet(
  target: StorageTarget,
  key: string,
  range: ByteRange | undefined,
  signal: AbortSignal,
): Promise<GetResult> {
  if (!range || target.capabilities.rangeRead)
    return target.get(key, { ...(range ? { range } : {}), signal });
  const whole = await target.get(key, { signal });
  let served: { start: number; end: number };
  try {
    served = resolveRange(key, whole.size, range);
  } catch (error) {
    whole.body.destroy();
    throw error;
  }
  return {
    body: Readable.from(slice(whole.body, served.start, served.end)),
    size: whole.size,
    range: served,
  };
}
