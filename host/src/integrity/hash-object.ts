import { createHash } from 'node:crypto';
import type { StorageTarget } from '@deskrec/core';

/** Streams one stored object through SHA-256; only one chunk is held at a time. */
export async function hashObject(
  target: StorageTarget,
  key: string,
  signal?: AbortSignal,
): Promise<{ size: number; sha256: string }> {
  const { body } = await target.get(key, signal ? { signal } : {});
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}
