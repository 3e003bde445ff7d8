import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertValidPrefix,
  checkIntegrity,
  digesting,
  failWhenAborted,
  filesystemLimits,
  type GetOptions,
  type GetResult,
  type ObjectInfo,
  type PutOptions,
  type PutResult,
  resolveRange,
  type StorageCapabilities,
  type StorageLimits,
  type StorageTarget,
} from '@deskrec/core';
import { toStorageError } from './errors.js';
import type { LocalStorageOptions } from './options.js';
import { pathOf, TEMP_PREFIX } from './paths.js';

export const LOCAL_CAPABILITIES: StorageCapabilities = {
  atomicRename: true,
  rangeRead: true,
  conditionalCreate: true,
  serverChecksum: false,
};

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Recordings in a local folder: temp file in the target folder, fsync, then an atomic rename (or link). */
export class LocalStorageTarget implements StorageTarget {
  readonly capabilities = LOCAL_CAPABILITIES;
  readonly root: string;
  readonly limits: StorageLimits;

  constructor(private readonly options: LocalStorageOptions) {
    this.root = path.resolve(options.root);
    this.limits = filesystemLimits(this.root);
  }

  async put(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    const final = pathOf(this.root, key);
    const dir = path.dirname(final);
    const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      await fs.mkdir(dir, { recursive: true });
      if (options?.ifNotExists && (await this.stat(key)))
        throw toStorageError({ code: 'EEXIST', message: 'object exists' }, key);
      const digest = digesting(body);
      failWhenAborted(options?.signal, digest, `Upload of ${key}`);
      // `flush` fsyncs the file before the stream reports it finished.
      const out = createWriteStream(temp, {
        flags: 'wx',
        mode: 0o640,
        flush: this.options.fsync,
      });
      await pipeline(digest, out);
      const result = checkIntegrity(key, digest, options);
      if (options?.ifNotExists) {
        await fs.link(temp, final);
        await fs.unlink(temp);
      } else {
        await fs.rename(temp, final);
      }
      if (this.options.fsync) await syncDir(dir);
      return result;
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      const mapped = toStorageError(error, `writing ${key}`);
      if (mapped.code === 'unknown' && !(error as NodeJS.ErrnoException).code) {
        throw toStorageError(
          Object.assign(new Error((error as Error).message), { code: 'EIO' }),
          `writing ${key}`,
        );
      }
      throw mapped;
    }
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    const file = pathOf(this.root, key);
    try {
      const info = await fs.stat(file);
      if (!info.isFile()) throw toStorageError({ code: 'ENOENT', message: 'not a file' }, key);
      const range = resolveRange(key, info.size, options?.range);
      const body =
        info.size === 0 ? Readable.from([]) : createReadStream(file, { start: range.start, end: range.end });
      failWhenAborted(options?.signal, body, `Download of ${key}`);
      return { body, size: info.size, range };
    } catch (error) {
      throw toStorageError(error, `reading ${key}`);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const file = pathOf(this.root, key);
    try {
      const info = await fs.stat(file);
      return info.isFile() ? { key, size: info.size, modifiedAt: info.mtime } : undefined;
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === 'ENOENT' ||
        (error as NodeJS.ErrnoException).code === 'ENOTDIR'
      )
        return undefined;
      throw toStorageError(error, `stat ${key}`);
    }
  }

  async delete(key: string): Promise<void> {
    const file = pathOf(this.root, key);
    try {
      await fs.rm(file, { force: true });
    } catch (error) {
      throw toStorageError(error, `deleting ${key}`);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const base = slash === -1 ? '' : prefix.slice(0, slash);
    yield* this.walk(base, prefix);
  }

  private async *walk(relDir: string, prefix: string): AsyncIterable<ObjectInfo> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(relDir ? path.join(this.root, ...relDir.split('/')) : this.root, {
        withFileTypes: true,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw toStorageError(error, `listing ${relDir || '/'}`);
    }
    for (const entry of entries) {
      if (entry.name.startsWith(TEMP_PREFIX)) continue;
      const key = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(key, prefix);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const info = await fs.stat(path.join(this.root, ...key.split('/'))).catch(() => undefined);
        if (info) yield { key, size: info.size, modifiedAt: info.mtime };
      }
    }
  }

  async check() {
    const probe = `${TEMP_PREFIX}check-${randomBytes(4).toString('hex')}`;
    try {
      await fs.mkdir(this.root, { recursive: true });
      await fs.writeFile(path.join(this.root, probe), 'deskrec check');
      await fs.rm(path.join(this.root, probe));
      const space = await fs.statfs(this.root);
      const freeGiB = (space.bavail * space.bsize) / 1024 ** 3;
      return {
        ok: true,
        message: `Folder ${this.root} is writable; ${freeGiB.toFixed(1)} GiB free`,
      };
    } catch (error) {
      return {
        ok: false,
        message: toStorageError(error, `Folder ${this.root}`).message.split('\n')[0]!,
      };
    }
  }

  async close(): Promise<void> {}
}
