import path from 'node:path';
import { assertValidKey, StorageError } from '@deskrec/core';

/** Objects being uploaded carry this prefix; list() hides them and keys may not use it. */
export const TEMP_PREFIX = '.deskrec-upload-';

/** The root without trailing slashes or `.`/`..` noise: `/srv/rec/` → `/srv/rec`, `./rec` → `rec`. */
export function normalizeRoot(root: string): string {
  const normal = path.posix.normalize(root);
  if (normal === '/') return '/';
  return normal.replace(/\/+$/, '') || '.';
}

/** The remote path of `key` under `root` (normalized), built with POSIX joins; refuses anything leaving it. */
export function remotePathOf(root: string, key: string): string {
  assertValidKey(key);
  const full = path.posix.join(root, key);
  const inside =
    root === '/'
      ? full.startsWith('/')
      : root === '.'
        ? !full.startsWith('/') && full !== '..' && !full.startsWith('../')
        : full.startsWith(`${root}/`);
  if (!inside) {
    throw new StorageError(
      'invalid-key',
      `Invalid storage key ${JSON.stringify(key)}: it resolves outside the root`,
    );
  }
  if (path.posix.basename(full).startsWith(TEMP_PREFIX)) {
    throw new StorageError(
      'invalid-key',
      `Invalid storage key ${JSON.stringify(key)}: names starting with ${TEMP_PREFIX} are reserved`,
    );
  }
  return full;
}

/** The remote folder of a key's relative folder (`''` is the root itself). */
export function remoteDirOf(root: string, relDir: string): string {
  return relDir ? path.posix.join(root, relDir) : root;
}
