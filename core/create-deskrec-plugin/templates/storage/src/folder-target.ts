import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertValidKey,
  assertValidPrefix,
  checkIntegrity,
  digesting,
  failWhenAborted,
  type GetOptions,
  type GetResult,
  type ObjectInfo,
  type PluginContext,
  type PutOptions,
  type PutResult,
  resolveRange,
  type StorageCapabilities,
  StorageError,
  type StorageTarget,
} from '@deskrec/core';
import type { Options } from './options.js';

/** What this target can do; the host adapts to it and the kit tests exactly this. */
export const CAPABILITIES: StorageCapabilities = {
  atomicRename: true,
  rangeRead: true,
  conditionalCreate: true,
  serverChecksum: false,
};

/** Files being written carry this prefix: list() hides them, and no key may use it. */
const TEMP_PREFIX = '.upload-';

/** Maps the backend's failures onto core's classes, so the host can tell retryable from permanent ones. */
function storageError(error: unknown, what: string): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as NodeJS.ErrnoException)?.code;
  const detail = `${what}: ${(error as Error)?.message ?? String(error)}`;
  if (code === 'ENOENT') return new StorageError('not-found', detail, { cause: error });
  if (code === 'EEXIST') return new StorageError('already-exists', detail, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new StorageError('permission', detail, { cause: error });
  return new StorageError('unavailable', detail, { cause: error, retryable: true });
}

/**
 * A working skeleton: objects are files under `root`, written to a temp name and renamed into place.
 * Replace the fs calls with your backend's and keep the shape; the kit tells you what still holds.
 */
export class FolderTarget implements StorageTarget {
  readonly capabilities = CAPABILITIES;
  private readonly root: string;

  constructor(options: Options, _context?: PluginContext) {
    this.root = path.resolve(options.root);
  }

  /** The file of `key`; refuses anything that would leave the root or hit a temp name. */
  private fileOf(key: string): string {
    assertValidKey(key);
    const file = path.resolve(this.root, ...key.split('/'));
    if (!file.startsWith(this.root + path.sep) || path.basename(file).startsWith(TEMP_PREFIX)) {
      throw new StorageError('invalid-key', `Invalid storage key ${JSON.stringify(key)}`);
    }
    return file;
  }

  async put(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    const file = this.fileOf(key);
    const temp = path.join(path.dirname(file), `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      if (options?.ifNotExists && (await this.stat(key))) {
        throw new StorageError('already-exists', `${key} already exists`);
      }
      const digest = digesting(body);
      failWhenAborted(options?.signal, digest, `Upload of ${key}`);
      await pipeline(digest, createWriteStream(temp, { flags: 'wx', flush: true }));
      const result = checkIntegrity(key, digest, options);
      if (options?.ifNotExists) {
        // link() fails when the name exists: the check and the create are one step.
        await fs.link(temp, file);
        await fs.unlink(temp);
      } else {
        await fs.rename(temp, file);
      }
      return result;
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw storageError(error, `writing ${key}`);
    }
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    const file = this.fileOf(key);
    try {
      const info = await fs.stat(file);
      if (!info.isFile()) throw new StorageError('not-found', `${key} does not exist`);
      const range = resolveRange(key, info.size, options?.range);
      const body = info.size === 0 ? Readable.from([]) : createReadStream(file, range);
      failWhenAborted(options?.signal, body, `Download of ${key}`);
      return { body, size: info.size, range };
    } catch (error) {
      throw storageError(error, `reading ${key}`);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const file = this.fileOf(key);
    const info = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw storageError(error, `stat ${key}`);
    });
    return info?.isFile() ? { key, size: info.size, modifiedAt: info.mtime } : undefined;
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.fileOf(key), { force: true }).catch((error) => {
      throw storageError(error, `deleting ${key}`);
    });
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    yield* this.walk('', prefix);
  }

  private async *walk(dir: string, prefix: string): AsyncIterable<ObjectInfo> {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(path.join(this.root, ...dir.split('/')), { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw storageError(error, `listing ${dir || '/'}`);
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const key = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory() && (key.startsWith(prefix) || prefix.startsWith(`${key}/`))) {
        yield* this.walk(key, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const info = await this.stat(key);
        if (info) yield info;
      }
    }
  }

  async check() {
    const probe = path.join(this.root, `${TEMP_PREFIX}check`);
    try {
      await fs.mkdir(this.root, { recursive: true });
      await fs.writeFile(probe, 'deskrec check');
      await fs.rm(probe);
      return { ok: true, message: `Folder ${this.root} is writable` };
    } catch (error) {
      return { ok: false, message: storageError(error, `Folder ${this.root}`).message };
    }
  }

  async close(): Promise<void> {}
}
