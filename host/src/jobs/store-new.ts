import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { fitKey, isStorageError, limitsOf, type PutResult, type StorageTarget } from '@deskrec/core';

/** How many other names a segment may take when objects already sit at its key and the next ones. */
const MAX_OTHER_NAMES = 20;

async function sha256Of(target: StorageTarget, key: string): Promise<string | undefined> {
  const found = await target.get(key).catch((error: unknown) => {
    if (isStorageError(error, 'not-found')) return undefined;
    throw error;
  });
  if (!found) return undefined;
  const hash = createHash('sha256');
  for await (const chunk of found.body) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `a/b.mp4` → `a/b-2.mp4` (the number before the extension, so players still know the type). */
function otherName(key: string, n: number): string {
  const slash = key.lastIndexOf('/');
  const dot = key.lastIndexOf('.');
  return dot > slash + 1 ? `${key.slice(0, dot)}-${n}${key.slice(dot)}` : `${key}-${n}`;
}

/**
 * Stores a file that must not replace anything. A target that declares `conditionalCreate` is asked to
 * refuse an existing key; when it does, the object there is compared with ours: the same bytes (an earlier
 * attempt of this job got that far) count as stored, other bytes (another recording rendered the same name)
 * send ours to `name-2`, `name-3`... so no recording overwrites another. A target without the capability
 * gets a plain put, as before. Every name is first shortened to the target's declared key limits
 * (`fitKey`: a hash suffix, the extension kept), so a long call id cannot keep a segment spooled.
 */
export async function storeNew(
  target: StorageTarget,
  key: string,
  open: () => Readable,
  expected: { size: number; sha256: string },
): Promise<PutResult> {
  const limits = limitsOf(target);
  if (!target.capabilities.conditionalCreate) return target.put(fitKey(key, limits), open(), expected);
  for (let n = 1; n <= MAX_OTHER_NAMES + 1; n++) {
    const candidate = fitKey(n === 1 ? key : otherName(key, n), limits);
    try {
      return await target.put(candidate, open(), { ...expected, ifNotExists: true });
    } catch (error) {
      if (!isStorageError(error, 'already-exists')) throw error;
      if ((await sha256Of(target, candidate)) === expected.sha256.toLowerCase()) {
        return { key: candidate, ...expected };
      }
    }
  }
  throw new Error(
    `${key} and ${MAX_OTHER_NAMES} numbered names after it are taken by other files; add %{recording-id} or %{call-id} to the file name format`,
  );
}
