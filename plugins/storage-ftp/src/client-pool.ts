import { StorageError } from '@deskrec/core';
import type { Client } from 'basic-ftp';

export interface Lease {
  client: Client;
  /** True when the client sat in the pool before: its connection may have died meanwhile. */
  reused: boolean;
}

interface Idle {
  client: Client;
  since: number;
  timer: NodeJS.Timeout;
}

/** Idle clients older than this get a NOOP before use, so a connection the server dropped is noticed early. */
const PROBE_AFTER_MS = 5_000;

/**
 * A small pool of logged-in clients. basic-ftp runs one command at a time per client, so every
 * concurrent operation borrows its own; at most `max` exist, later callers wait for a release.
 */
export class ClientPool {
  private readonly idle: Idle[] = [];
  private readonly waiters: Array<() => void> = [];
  private total = 0;
  private closed = false;

  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly max: number,
    private readonly idleTimeoutMs: number,
  ) {}

  async acquire(): Promise<Lease> {
    for (;;) {
      if (this.closed) throw new StorageError('unavailable', 'The FTP storage target is closed');
      const entry = this.idle.pop();
      if (entry) {
        clearTimeout(entry.timer);
        if (await this.alive(entry)) return { client: entry.client, reused: true };
        this.discard(entry.client);
        continue;
      }
      if (this.total < this.max) {
        this.total++;
        try {
          return { client: await this.connect(), reused: false };
        } catch (error) {
          this.total--;
          this.wake();
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Returns a client; `reusable` false (or a closed client) drops its connection instead. */
  release(client: Client, reusable: boolean): void {
    if (reusable && !client.closed && !this.closed) {
      const entry: Idle = {
        client,
        since: Date.now(),
        timer: setTimeout(() => this.expire(entry), this.idleTimeoutMs),
      };
      entry.timer.unref();
      this.idle.push(entry);
      this.wake();
    } else {
      this.discard(client);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.idle.splice(0)) {
      clearTimeout(entry.timer);
      this.discard(entry.client);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async alive(entry: Idle): Promise<boolean> {
    if (entry.client.closed) return false;
    if (Date.now() - entry.since < PROBE_AFTER_MS) return true;
    try {
      await entry.client.send('NOOP');
      return true;
    } catch {
      return false;
    }
  }

  private expire(entry: Idle): void {
    const index = this.idle.indexOf(entry);
    if (index === -1) return;
    this.idle.splice(index, 1);
    this.discard(entry.client);
  }

  private discard(client: Client): void {
    client.close();
    this.total--;
    this.wake();
  }

  private wake(): void {
    this.waiters.shift()?.();
  }
}
