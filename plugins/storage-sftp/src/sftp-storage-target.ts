import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { finished, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  assertValidPrefix,
  type CheckResult,
  checkIntegrity,
  digesting,
  failWhenAborted,
  filesystemLimits,
  type GetOptions,
  type GetResult,
  type Logger,
  type ObjectInfo,
  type PutOptions,
  type PutResult,
  resolveRange,
  type StorageCapabilities,
  StorageError,
  type StorageLimits,
  type StorageTarget,
} from '@deskrec/core';
import type { SFTPWrapper } from 'ssh2';
import { ConnectionPool, whileAlive } from './connection-pool.js';
import { type ErrorContext, toStorageError } from './errors.js';
import type { SftpStorageOptions } from './options.js';
import { ParallelReader, ParallelWriter } from './parallel-transfer.js';
import { normalizeRoot, remoteDirOf, remotePathOf, TEMP_PREFIX } from './remote-paths.js';
import {
  closeFile,
  mkdirp,
  openFile,
  posixRename,
  readdir,
  rename,
  statOf,
  supportsPosixRename,
  unlink,
} from './sftp-requests.js';

export const SFTP_CAPABILITIES: StorageCapabilities = {
  // Upload to a temp name in the target folder, then rename: readers never see a partial object.
  atomicRename: true,
  rangeRead: true,
  // Plain SFTP rename refuses an existing target (SFTP v3; OpenSSH does link+unlink), so ifNotExists is atomic.
  conditionalCreate: true,
  serverChecksum: false,
};

/** Recordings on an SFTP server: streamed to a temp name in the key's folder, then renamed into place. */
export class SftpStorageTarget implements StorageTarget {
  readonly capabilities = SFTP_CAPABILITIES;
  readonly root: string;
  readonly limits: StorageLimits;
  private readonly pool: ConnectionPool;
  private readonly orphans = new Set<string>();

  constructor(
    private readonly options: SftpStorageOptions,
    privateKey: string | undefined,
    private readonly logger: Logger,
  ) {
    this.root = normalizeRoot(options.root);
    this.limits = filesystemLimits(this.root);
    this.pool = new ConnectionPool(options, privateKey, logger);
  }

  private context(what: string, remotePath?: string): ErrorContext {
    return { what, endpoint: this.pool.endpoint, ...(remotePath ? { path: remotePath } : {}) };
  }

  async put(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    const final = remotePathOf(this.root, key);
    const dir = path.posix.dirname(final);
    const temp = path.posix.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let orphaned = false;
    return this.pool
      .use(async ({ sftp, lost }) => {
        await this.removeOrphans(sftp);
        let step = this.context(`creating folder for ${key}`, dir);
        let tempCreated = false;
        let out: Writable | undefined;
        // ssh2 never answers a write whose socket died: fail the stream when the connection drops.
        const abortOnLoss = () => out?.destroy(lost.reason);
        lost.addEventListener('abort', abortOnLoss, { once: true });
        try {
          await mkdirp(sftp, dir);
          if (options?.ifNotExists && (await statOf(sftp, final))) throw this.exists(key, final);
          step = this.context(`writing ${key}`, temp);
          const digest = digesting(body);
          failWhenAborted(options?.signal, digest, `Upload of ${key}`);
          const handle = await openFile(sftp, temp, 'w');
          tempCreated = true;
          out = new ParallelWriter(sftp, handle, this.options.parallelRequests);
          try {
            await pipeline(digest, out);
          } finally {
            if (!lost.aborted) await closeFile(sftp, handle);
          }
          const result = checkIntegrity(key, digest, options);
          step = this.context(`renaming into ${key}`, final);
          await this.moveIntoPlace(sftp, temp, final, key, options?.ifNotExists);
          tempCreated = false;
          return result;
        } catch (error) {
          if (tempCreated) {
            if (lost.aborted) orphaned = true;
            else await unlink(sftp, temp).catch(() => undefined);
          }
          throw toStorageError(error, step);
        } finally {
          lost.removeEventListener('abort', abortOnLoss);
        }
      })
      .catch((error) => {
        // The connection that wrote the temp file is gone: remove it over another one, without delaying
        // the caller's error; while the server stays unreachable it is kept for the next put.
        if (orphaned) {
          this.orphans.add(temp);
          void this.pool.use(({ sftp }) => this.removeOrphans(sftp)).catch(() => undefined);
        }
        throw toStorageError(error, this.context(`writing ${key}`, temp));
      });
  }

  /**
   * Removes temp files left by uploads whose connection dropped (hidden from list(), but taking space).
   * One try each once the server is reachable again; a file that cannot be removed is named in the log.
   */
  private async removeOrphans(sftp: SFTPWrapper): Promise<void> {
    for (const temp of this.orphans) {
      this.orphans.delete(temp);
      await unlink(sftp, temp).catch((error) =>
        this.logger.warn({ path: temp, error: String(error) }, 'could not remove an orphaned upload'),
      );
    }
  }

  private exists(key: string, final: string): StorageError {
    return new StorageError('already-exists', `${key} already exists (${final} on ${this.pool.endpoint})`);
  }

  /** ifNotExists: plain rename, which fails when the target exists. Otherwise replace the target. */
  private async moveIntoPlace(
    sftp: SFTPWrapper,
    temp: string,
    final: string,
    key: string,
    ifNotExists: boolean | undefined,
  ): Promise<void> {
    if (!ifNotExists && supportsPosixRename(sftp)) {
      await posixRename(sftp, temp, final);
      return;
    }
    try {
      await rename(sftp, temp, final);
    } catch (error) {
      if (!(await statOf(sftp, final))) throw error;
      if (ifNotExists) throw this.exists(key, final);
      // No atomic replace on this server: the old object disappears just before the new one appears.
      await unlink(sftp, final);
      await rename(sftp, temp, final);
    }
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    const final = remotePathOf(this.root, key);
    const context = this.context(`reading ${key}`, final);
    const { connection, release } = await this.pool.borrow();
    try {
      const info = await whileAlive(connection, statOf(connection.sftp, final));
      if (!info?.isFile())
        throw new StorageError('not-found', `Not found: ${key} (${final} on ${this.pool.endpoint})`);
      const range = resolveRange(key, info.size, options?.range);
      if (info.size === 0) {
        release();
        return { body: Readable.from([]), size: 0, range };
      }
      const handle = await whileAlive(connection, openFile(connection.sftp, final, 'r'));
      const body = new ParallelReader(connection.sftp, handle, {
        ...range,
        parallel: this.options.parallelRequests,
        lost: connection.lost,
        // The caller gets StorageErrors mid-stream too.
        describe: (error) => toStorageError(error, context),
      });
      const abortOnLoss = () => body.destroy(connection.lost.reason);
      connection.lost.addEventListener('abort', abortOnLoss, { once: true });
      failWhenAborted(options?.signal, body, `Download of ${key}`);
      // Destroying `body` closes the remote handle; the connection goes back once the stream is done.
      finished(body, () => {
        connection.lost.removeEventListener('abort', abortOnLoss);
        release();
      });
      return { body, size: info.size, range };
    } catch (error) {
      release();
      throw toStorageError(error, context);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const final = remotePathOf(this.root, key);
    return this.pool
      .use(async ({ sftp }) => {
        const info = await statOf(sftp, final);
        return info?.isFile() ? { key, size: info.size, modifiedAt: new Date(info.mtime * 1000) } : undefined;
      })
      .catch((error) => {
        throw toStorageError(error, this.context(`stat ${key}`, final));
      });
  }

  async delete(key: string): Promise<void> {
    const final = remotePathOf(this.root, key);
    await this.pool
      .use(({ sftp }) => unlink(sftp, final))
      .catch((error) => {
        throw toStorageError(error, this.context(`deleting ${key}`, final));
      });
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    yield* this.walk(slash === -1 ? '' : prefix.slice(0, slash), prefix);
  }

  private async *walk(relDir: string, prefix: string): AsyncIterable<ObjectInfo> {
    const remoteDir = remoteDirOf(this.root, relDir);
    const entries = await this.pool
      .use(({ sftp }) => readdir(sftp, remoteDir))
      .catch((error) => {
        throw toStorageError(error, this.context(`listing ${relDir || '/'}`, remoteDir));
      });
    for (const entry of entries ?? []) {
      const name = entry.filename;
      if (name === '.' || name === '..' || name.startsWith(TEMP_PREFIX)) continue;
      const key = relDir ? `${relDir}/${name}` : name;
      if (entry.attrs.isDirectory()) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(key, prefix);
      } else if (entry.attrs.isFile() && key.startsWith(prefix)) {
        yield { key, size: entry.attrs.size, modifiedAt: new Date(entry.attrs.mtime * 1000) };
      }
    }
  }

  async check(): Promise<CheckResult> {
    const probe = path.posix.join(this.root, `${TEMP_PREFIX}check-${randomBytes(4).toString('hex')}`);
    let step = this.context('connecting');
    try {
      await this.pool.use(async ({ client, sftp }) => {
        step = this.context('creating the root folder', this.root);
        await mkdirp(sftp, this.root);
        step = this.context('writing a probe file', probe);
        const out = client.createWriteStream(probe, { flags: 'w', mode: 0o640 });
        const closed = once(out, 'close');
        closed.catch(() => undefined);
        await pipeline(Readable.from([Buffer.from('deskrec check')]), out);
        await closed;
        step = this.context('deleting the probe file', probe);
        await unlink(sftp, probe);
      });
      const pinned = this.options.hostKeyFingerprint ? 'host key pinned' : 'host key NOT pinned';
      return {
        ok: true,
        message: `Connected to ${this.options.host}:${this.options.port} as ${this.options.username}; ${this.root} is writable (${pinned})`,
      };
    } catch (error) {
      return { ok: false, message: toStorageError(error, step).message.split('\n')[0]! };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
