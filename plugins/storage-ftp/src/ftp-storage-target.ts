import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { ConnectionOptions } from 'node:tls';
import {
  assertValidKey,
  assertValidPrefix,
  type CheckResult,
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
  StorageError,
  type StorageLimits,
  type StorageTarget,
} from '@deskrec/core';
import type { Client } from 'basic-ftp';
import { ClientPool, type Lease } from './client-pool.js';
import { connectClient, describeServer, loadCa, tlsOptionsOf } from './connect.js';
import { type Intent, isConnectionError, isMissing, isRefusal, toStorageError } from './errors.js';
import type { FtpStorageOptions } from './options.js';
import { download } from './ranged-download.js';
import { enterFolder, listFolder, replace, sizeOf, upload } from './remote-files.js';
import { isTempName, RemotePaths } from './remote-paths.js';

export const FTP_CAPABILITIES: StorageCapabilities = {
  atomicRename: true,
  rangeRead: true,
  // FTP has no "store only if absent": RNTO replaces, and checking first would race.
  conditionalCreate: false,
  serverChecksum: false,
};

const SECURITY: Record<FtpStorageOptions['secure'], string> = {
  none: 'plain FTP',
  explicit: 'explicit FTPS',
  implicit: 'implicit FTPS',
};

/**
 * Recordings on an FTP or FTPS server: each put streams to a temp name in the target folder and is renamed
 * into place, gets use REST offsets for ranges, and every concurrent operation borrows its own connection.
 */
export class FtpStorageTarget implements StorageTarget {
  readonly capabilities = FTP_CAPABILITIES;
  /** From the configured root; a relative one starts at the login folder, which counts too but is unknown here. */
  readonly limits: StorageLimits;
  private readonly pool: ClientPool;
  private readonly server: string;
  /** Known after the first login, since a relative root starts at the login folder. */
  private paths?: RemotePaths;

  constructor(private readonly options: FtpStorageOptions) {
    const tls: ConnectionOptions = options.secure === 'none' ? {} : tlsOptionsOf(options, loadCa(options.ca));
    this.server = describeServer(options);
    this.limits = filesystemLimits(options.root);
    this.pool = new ClientPool(() => this.open(tls), options.maxConnections, options.idleTimeoutMs);
  }

  async put(
    key: string,
    body: Readable | AsyncIterable<Uint8Array>,
    options?: PutOptions,
  ): Promise<PutResult> {
    assertValidKey(key);
    if (options?.ifNotExists) {
      throw new StorageError(
        'unsupported',
        `Cannot store ${key} only if absent: FTP has no atomic create-if-absent (conditionalCreate is false)`,
      );
    }
    if (options?.signal?.aborted) throw new StorageError('aborted', `Upload of ${key} was aborted`);
    const digest = digesting(body);
    failWhenAborted(options?.signal, digest, `Upload of ${key}`);
    let lease: Lease | undefined;
    let temp: string | undefined;
    try {
      const folder = await this.borrow(
        () => `Creating the folder of ${this.where(key)}`,
        'write',
        (client, paths) => enterFolder(client, paths.root, posix.dirname(paths.of(key))),
      );
      lease = folder.lease;
      const path = this.remote().of(key);
      temp = this.remote().tempBeside(path);
      await upload(lease.client, digest, temp);
      const result = checkIntegrity(key, digest, options);
      const stored = await sizeOf(lease.client, temp);
      if (stored !== result.size) {
        throw new StorageError(
          'unavailable',
          `The server stored ${stored} of ${result.size} bytes of ${path}`,
        );
      }
      await replace(lease.client, temp, path);
      temp = undefined;
      this.pool.release(lease.client, true);
      return result;
    } catch (error) {
      if (lease) this.pool.release(lease.client, !lease.client.closed && !isConnectionError(error));
      // The body failing is the caller's problem ('aborted'); a dying connection also tears the body down,
      // but then the error is a network one and the server is to blame ('unavailable').
      const bodyFailed = digest.errored && !isConnectionError(digest.errored);
      let mapped = bodyFailed
        ? sourceFailure(key, digest.errored as Error)
        : toStorageError(error, `Writing ${this.where(key)}`, 'write');
      if (!digest.destroyed) digest.destroy();
      if (temp) {
        if (!bodyFailed) {
          mapped = await this.explainWriteFailure(mapped, posix.dirname(temp), `Writing ${this.where(key)}`);
        }
        await this.removeQuietly(temp);
      }
      throw mapped;
    }
  }

  async get(key: string, options?: GetOptions): Promise<GetResult> {
    assertValidKey(key);
    const { lease, value: size } = await this.borrow(
      () => `Reading ${this.where(key)}`,
      'read',
      (client, paths) => sizeOf(client, paths.of(key)),
    );
    let range: { start: number; end: number };
    try {
      range = resolveRange(key, size, options?.range);
    } catch (error) {
      this.pool.release(lease.client, true);
      throw error;
    }
    if (size === 0) {
      this.pool.release(lease.client, true);
      return { body: Readable.from([]), size, range };
    }
    const path = this.remote().of(key);
    const transfer = download(lease.client, path, range, size, (error) =>
      toStorageError(error, `Reading ${path}`, 'read'),
    );
    void transfer.finished.then((reusable) => this.pool.release(lease.client, reusable));
    failWhenAborted(options?.signal, transfer.body, `Download of ${key}`);
    return { body: transfer.body, size, range };
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    assertValidKey(key);
    return this.session(
      () => `Reading ${this.where(key)}`,
      'read',
      async (client, paths) => {
        const path = paths.of(key);
        let size: number;
        try {
          size = await sizeOf(client, path);
        } catch (error) {
          if (isMissing(error)) return undefined;
          throw error;
        }
        // MDTM is optional in FTP: without it the object simply has no modification time.
        const modifiedAt = await client.lastMod(path).catch(() => undefined);
        return { key, size, ...(modifiedAt ? { modifiedAt } : {}) };
      },
    );
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.session(
      () => `Deleting ${this.where(key)}`,
      'write',
      async (client, paths) => {
        const path = paths.of(key);
        try {
          await client.remove(path);
        } catch (error) {
          if (!isMissing(error)) throw error;
          // 550 means "no such file" (fine: delete is idempotent) or "not allowed": SIZE tells them apart.
          const exists = await sizeOf(client, path).then(
            () => true,
            (sizeError: unknown) => {
              if (isMissing(sizeError)) return false;
              throw sizeError;
            },
          );
          if (exists) throw error;
        }
      },
    );
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    yield* this.walk(slash === -1 ? '' : prefix.slice(0, slash), prefix);
  }

  async check(): Promise<CheckResult> {
    const security = `${SECURITY[this.options.secure]}${this.options.skipCertificateVerification ? ', certificate NOT verified' : ''}`;
    try {
      const root = await this.session(
        () => `Writing a probe file in ${this.paths?.root ?? this.options.root}`,
        'write',
        async (client, paths) => {
          await enterFolder(client, paths.root, paths.root);
          const probe = paths.tempBeside(posix.join(paths.root, 'probe'), 'check-');
          await upload(client, Readable.from([Buffer.from('deskrec storage check\n')]), probe);
          await client.remove(probe);
          return paths.root;
        },
      );
      return { ok: true, message: `Connected to ${this.server} (${security}); ${root} is writable` };
    } catch (error) {
      let mapped = toStorageError(error, `FTP check of ${this.server}`, 'write');
      if (this.paths) {
        const root = this.paths.root;
        mapped = await this.explainWriteFailure(mapped, root, `Writing a probe file in ${root}`);
      }
      const message = mapped.message;
      return { ok: false, message: `${this.redact(message)} (${security})`.replace(/\s*\n\s*/g, ' ') };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async *walk(relDir: string, prefix: string): AsyncIterable<ObjectInfo> {
    const entries = await this.session(
      () => `Listing ${this.paths?.dir(relDir) ?? relDir}`,
      'read',
      async (client, paths) => {
        try {
          return await listFolder(client, paths.dir(relDir));
        } catch (error) {
          if (isMissing(error)) return [];
          throw error;
        }
      },
    );
    for (const entry of entries) {
      if (entry.name === '.' || entry.name === '..' || isTempName(entry.name)) continue;
      const key = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory) {
        if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* this.walk(key, prefix);
      } else if (entry.isFile && key.startsWith(prefix)) {
        yield { key, size: entry.size, ...(entry.modifiedAt ? { modifiedAt: entry.modifiedAt } : {}) };
      }
    }
  }

  private async open(tls: ConnectionOptions): Promise<Client> {
    const client = await connectClient(this.options, tls);
    if (this.paths) return client;
    try {
      const root = this.options.root.startsWith('/')
        ? this.options.root
        : posix.join(await client.pwd(), this.options.root);
      this.paths ??= new RemotePaths(root);
      return client;
    } catch (error) {
      client.close();
      throw toStorageError(error, `Finding the login folder on ${this.server}`, 'read');
    }
  }

  /**
   * Runs `work` on a borrowed client and keeps it borrowed. A pooled connection that turns out dead is
   * replaced once by a fresh one, so a server's idle disconnect never surfaces as a failure.
   */
  private async borrow<T>(
    describe: () => string,
    intent: Intent,
    work: (client: Client, paths: RemotePaths) => Promise<T>,
  ): Promise<{ lease: Lease; value: T }> {
    for (let attempt = 0; ; attempt++) {
      const lease = await this.pool.acquire();
      try {
        return { lease, value: await work(lease.client, this.remote()) };
      } catch (error) {
        const broken = lease.client.closed || isConnectionError(error);
        this.pool.release(lease.client, !broken);
        if (broken && lease.reused && attempt === 0) continue;
        throw toStorageError(error, describe(), intent);
      }
    }
  }

  private async session<T>(
    describe: () => string,
    intent: Intent,
    work: (client: Client, paths: RemotePaths) => Promise<T>,
  ): Promise<T> {
    const { lease, value } = await this.borrow(describe, intent, work);
    this.pool.release(lease.client, true);
    return value;
  }

  /**
   * Some servers (ftp-srv) accept STOR, then fail to open the file and reset the data connection before
   * their 550 arrives, so a refused write looks like a network failure. When the server is reachable, a
   * probe folder tells the two apart: if it may not create one in `dir` either, the write was refused.
   */
  private async explainWriteFailure(failure: StorageError, dir: string, what: string): Promise<StorageError> {
    if (failure.code !== 'unavailable') return failure;
    const refusal = await this.session(
      () => `Probing ${dir}`,
      'write',
      async (client, paths) => {
        const probe = paths.tempBeside(posix.join(dir, 'probe'), 'probe-');
        try {
          await client.send(`MKD ${probe}`);
        } catch (error) {
          return isRefusal(error) ? (error as Error).message : undefined;
        }
        await client.removeEmptyDir(probe);
        return undefined;
      },
    ).catch(() => undefined);
    if (refusal === undefined) return failure;
    return new StorageError('permission', `Permission denied: ${what}: ${refusal}`, { cause: failure });
  }

  private async removeQuietly(path: string): Promise<void> {
    await this.session(
      () => `Removing ${path}`,
      'write',
      (client) => client.remove(path, true),
    ).catch(() => undefined);
  }

  private remote(): RemotePaths {
    if (!this.paths) throw new StorageError('unknown', 'No FTP connection has been made yet');
    return this.paths;
  }

  /** The remote path of `key` for messages, once the root is known. */
  private where(key: string): string {
    try {
      return this.paths ? this.paths.of(key) : key;
    } catch {
      return key;
    }
  }

  private redact(message: string): string {
    const { password } = this.options;
    return password.length >= 4 ? message.split(password).join('***') : message;
  }
}

function sourceFailure(key: string, error: Error): StorageError {
  if (error instanceof StorageError) return error;
  return new StorageError('aborted', `Upload of ${key} failed while reading its source: ${error.message}`, {
    cause: error,
    retryable: true,
  });
}
