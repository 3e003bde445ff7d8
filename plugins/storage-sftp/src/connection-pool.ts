import type { Logger } from '@deskrec/core';
import type { SFTPWrapper } from 'ssh2';
import SftpClient from 'ssh2-sftp-client';
import { hostKeyMismatch, toStorageError } from './errors.js';
import { fingerprintOf, normalizeFingerprint } from './fingerprint.js';
import type { SftpStorageOptions } from './options.js';

/** One SSH connection with its SFTP channel; `alive` turns false when the server or network drops it. */
export interface Connection {
  client: SftpClient;
  sftp: SFTPWrapper;
  alive: boolean;
  /**
   * Aborted when the connection drops. ssh2 leaves requests in flight unanswered when the socket dies,
   * so whoever waits on one must also watch this.
   */
  lost: AbortSignal;
}

/** `work`, or the connection's loss if that comes first (so a dropped socket never leaves a caller waiting). */
export async function whileAlive<T>(connection: Connection, work: Promise<T>): Promise<T> {
  let onLost: (() => void) | undefined;
  const lost = new Promise<never>((_, reject) => {
    onLost = () => reject(connection.lost.reason);
    if (connection.lost.aborted) onLost();
    else connection.lost.addEventListener('abort', onLost, { once: true });
  });
  lost.catch(() => undefined);
  try {
    return await Promise.race([work, lost]);
  } finally {
    if (onLost) connection.lost.removeEventListener('abort', onLost);
  }
}

/** The error pending work fails with when its connection drops. */
export function connectionLost(endpoint: string): Error {
  return new Error(`Connection lost to ${endpoint}`);
}

interface Slot {
  connecting?: Promise<Connection>;
  connection?: Connection;
  busy: number;
}

/**
 * A few SSH connections, opened lazily and reopened when dropped. Each operation borrows the least busy
 * connection; SFTP multiplexes concurrent requests on one channel, the pool spreads large transfers.
 */
export class ConnectionPool {
  private readonly slots: Slot[];
  private readonly seenFingerprints = new Set<string>();
  private closed = false;
  readonly endpoint: string;

  constructor(
    private readonly options: SftpStorageOptions,
    private readonly privateKey: string | undefined,
    private readonly logger: Logger,
  ) {
    this.slots = Array.from({ length: options.connections }, () => ({ busy: 0 }));
    this.endpoint = `${options.username}@${options.host}:${options.port}`;
  }

  /** Runs `work` on a live connection; the connection is released when the promise settles. */
  async use<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
    const { connection, release } = await this.borrow();
    try {
      return await whileAlive(connection, work(connection));
    } finally {
      release();
    }
  }

  /** A live connection counted as busy until `release()` (for streams that outlive the call). */
  async borrow(): Promise<{ connection: Connection; release: () => void }> {
    const slot = this.pick();
    slot.busy++;
    let released = false;
    const release = () => {
      if (!released) slot.busy--;
      released = true;
    };
    try {
      return { connection: await this.connectionOf(slot), release };
    } catch (error) {
      release();
      throw error;
    }
  }

  private pick(): Slot {
    let best = this.slots[0]!;
    for (const slot of this.slots) if (slot.busy < best.busy) best = slot;
    return best;
  }

  private connectionOf(slot: Slot): Promise<Connection> {
    if (this.closed) {
      return Promise.reject(toStorageError(new Error('Not connected: target closed'), this.context()));
    }
    if (slot.connection?.alive) return Promise.resolve(slot.connection);
    slot.connecting ??= this.connect()
      .then((connection) => {
        slot.connection = connection;
        return connection;
      })
      .finally(() => {
        slot.connecting = undefined;
      });
    return slot.connecting;
  }

  private async connect(): Promise<Connection> {
    const { options } = this;
    const pinned = options.hostKeyFingerprint && normalizeFingerprint(options.hostKeyFingerprint);
    let seen: string | undefined;
    const lost = new AbortController();
    const connection = { lost: lost.signal } as Connection;
    const markDead = () => {
      connection.alive = false;
      lost.abort(connectionLost(this.endpoint));
    };
    const client = new SftpClient(`deskrec-${options.host}`, {
      error: (error) => {
        markDead();
        this.logger.debug({ err: String(error), endpoint: this.endpoint }, 'SFTP connection error');
      },
      end: markDead,
      close: markDead,
    });
    client.on('close', markDead);
    client.on('end', markDead);
    try {
      const sftp = await client.connect({
        host: options.host,
        port: options.port,
        username: options.username,
        ...(options.password !== undefined ? { password: options.password } : {}),
        ...(this.privateKey !== undefined ? { privateKey: this.privateKey } : {}),
        ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
        readyTimeout: options.connectTimeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs,
        keepaliveCountMax: options.keepaliveCountMax,
        hostVerifier: (key: Buffer) => {
          seen = fingerprintOf(key);
          return pinned === undefined || seen === pinned;
        },
      });
      Object.assign(connection, { client, sftp, alive: true });
    } catch (error) {
      await client.end().catch(() => undefined);
      if (pinned !== undefined && seen !== undefined && seen !== pinned) {
        throw hostKeyMismatch(this.endpoint, pinned, seen);
      }
      throw toStorageError(error, this.context());
    }
    if (pinned === undefined && seen !== undefined && !this.seenFingerprints.has(seen)) {
      this.seenFingerprints.add(seen);
      this.logger.warn(
        { endpoint: this.endpoint, hostKeyFingerprint: seen },
        `No hostKeyFingerprint pinned for ${options.host}; accepted host key ${seen} without verification. Pin it to refuse an impostor`,
      );
    }
    return connection;
  }

  private context() {
    return { what: 'connecting', endpoint: this.endpoint };
  }

  /** Ends every connection; later operations fail with `unavailable`. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        const connection = slot.connection ?? (await slot.connecting?.catch(() => undefined));
        slot.connection = undefined;
        if (connection) {
          connection.alive = false;
          await connection.client.end().catch(() => undefined);
        }
      }),
    );
  }
}
