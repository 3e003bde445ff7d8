import path from 'node:path';
import { assertValidKey, StorageError } from '@deskrec/core';

/** Files being written carry this prefix; list() hides them and they never collide with a key. */
export const TEMP_PREFIX = '.deskrec-tmp-';

/** The absolute path of `key` under `root`; refuses anything that would resolve outside it. */
export function pathOf(root: string, key: string): string {
  assertValidKey(key);
  const full = path.resolve(root, ...key.split('/'));
  if (!full.startsWith(root + path.sep)) {
    throw new StorageError(
      'invalid-key',
      `Invalid storage key ${JSON.stringify(key)}: it resolves outside the root`,
    );
  }
  if (path.basename(full).startsWith(TEMP_PREFIX)) {
    throw new StorageError(
      'invalid-key',
      `Invalid storage key ${JSON.stringify(key)}: names starting with ${TEMP_PREFIX} are reserved`,
    );
  }
  return full;
}
