import type { StorageLimits, StorageTarget } from '../ports/storage-target.js';
import { MAX_KEY_BYTES, MAX_SEGMENT_BYTES } from '../template/sanitize.js';
import { shortenName } from '../template/shorten-name.js';

/** What core's key check allows; a target that declares no limits of its own gets these. */
export const DEFAULT_STORAGE_LIMITS: StorageLimits = {
  maxKeyBytes: MAX_KEY_BYTES,
  maxSegmentBytes: MAX_SEGMENT_BYTES,
};

/** Shortest name a shortened one may have: some readable prefix, `~`, the hash and an extension. */
const MIN_NAME_BYTES = 32;

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).length;

/** The limits `target` declares, within what core's key check allows. */
export function limitsOf(target: Pick<StorageTarget, 'limits'>): StorageLimits {
  const declared = target.limits ?? DEFAULT_STORAGE_LIMITS;
  return {
    maxKeyBytes: Math.min(declared.maxKeyBytes, MAX_KEY_BYTES),
    maxSegmentBytes: Math.min(declared.maxSegmentBytes, MAX_SEGMENT_BYTES),
  };
}

/**
 * `key` made to fit `limits`, deterministically: a file or folder name longer than a segment may be is
 * shortened with a hash suffix, then, when the whole key is still too long, the file name and if need be
 * the folders are shortened further. Keys that fit come back unchanged. Throws when even the shortest
 * form does not fit (limits far below any real target's).
 */
export function fitKey(key: string, limits: StorageLimits): string {
  if (bytes(key) <= limits.maxKeyBytes && key.split('/').every((s) => bytes(s) <= limits.maxSegmentBytes))
    return key;
  const segments = key.split('/').map((segment) => shortenName(segment, limits.maxSegmentBytes, key));
  const fits = () => bytes(segments.join('/')) <= limits.maxKeyBytes;
  const last = segments.length - 1;
  if (!fits()) {
    const folders = bytes(segments.slice(0, last).join('/')) + (last > 0 ? 1 : 0);
    const room = limits.maxKeyBytes - folders;
    if (room >= MIN_NAME_BYTES) segments[last] = shortenName(segments[last]!, room, key);
  }
  // Folders too long for any file name: shorten them from the deepest up, each to the minimum.
  for (let i = last - 1; i >= 0 && !fits(); i--) segments[i] = shortenName(segments[i]!, MIN_NAME_BYTES, key);
  if (!fits()) segments[last] = shortenName(segments[last]!, MIN_NAME_BYTES, key);
  const fitted = segments.join('/');
  if (!fits() || segments.some((s) => bytes(s) > limits.maxSegmentBytes)) {
    throw new Error(
      `The key ${JSON.stringify(key.slice(0, 80))}… cannot be shortened to ${limits.maxKeyBytes} bytes`,
    );
  }
  return fitted;
}

/** Linux's PATH_MAX less its terminating NUL: the longest absolute path a POSIX server opens. */
const MAX_PATH_BYTES = 4095;

/**
 * Limits of a target storing keys as files under `root` (local folder, SFTP, FTP): 255 bytes per name,
 * and the whole path, root included, within PATH_MAX.
 */
export function filesystemLimits(root: string): StorageLimits {
  return {
    maxKeyBytes: Math.min(MAX_KEY_BYTES, MAX_PATH_BYTES - bytes(root) - 1),
    maxSegmentBytes: MAX_SEGMENT_BYTES,
  };
}
