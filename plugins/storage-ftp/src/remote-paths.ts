import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { assertValidKey, StorageError } from '@deskrec/core';

/** Uploads in progress carry this prefix; list() hides them and no key may use it. */
export const TEMP_PREFIX = '.deskrec-tmp-';

export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/** Remote paths of keys under one absolute root folder on the server. */
export class RemotePaths {
  readonly root: string;

  constructor(root: string) {
    this.root = posix.normalize(root.endsWith('/') && root !== '/' ? root.slice(0, -1) : root);
  }

  /** The remote path of `key`; refuses anything that would leave the root or collide with temp names. */
  of(key: string): string {
    assertValidKey(key);
    const full = posix.join(this.root, ...key.split('/'));
    const base = this.root === '/' ? '/' : `${this.root}/`;
    if (!full.startsWith(base) || full === this.root) {
      throw new StorageError(
        'invalid-key',
        `Invalid storage key ${JSON.stringify(key)}: it resolves outside the root`,
      );
    }
    if (isTempName(posix.basename(full))) {
      throw new StorageError(
        'invalid-key',
        `Invalid storage key ${JSON.stringify(key)}: names starting with ${TEMP_PREFIX} are reserved`,
      );
    }
    return full;
  }

  /** The remote folder holding the keys that start with `relDir` ('' is the root). */
  dir(relDir: string): string {
    return relDir === '' ? this.root : posix.join(this.root, ...relDir.split('/'));
  }

  /** A fresh temp name beside `path`, so the final rename never crosses folders. */
  tempBeside(path: string, label = ''): string {
    return posix.join(posix.dirname(path), `${TEMP_PREFIX}${label}${randomBytes(8).toString('hex')}`);
  }
}
