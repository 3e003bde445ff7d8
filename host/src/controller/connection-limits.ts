import type { Duplex } from 'node:stream';

export interface ConnectionLimitOptions {
  /** Open sockets on all controller ports together. */
  maxConnections: number;
  /** Open sockets from one address (a NAT'd office shares one: keep it above its agent count). */
  maxConnectionsPerAddress: number;
}

export type LimitRefusal = { limit: 'total' | 'address'; message: string };

/**
 * Counts accepted sockets on every listener, before TLS or the WebSocket upgrade, so a flood of idle sockets
 * cannot use up the host's file descriptors. A socket over a limit is cut at once.
 */
export class ConnectionLimits {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly options: ConnectionLimitOptions) {}

  /** Takes a place for `socket` (given back when it closes), or says which limit it is over. */
  admit(socket: Duplex, address: string | undefined): LimitRefusal | undefined {
    const key = address ?? 'unknown';
    const fromAddress = this.perAddress.get(key) ?? 0;
    if (this.total >= this.options.maxConnections) {
      return {
        limit: 'total',
        message: `the controller has ${this.total} connections, its limit (controller.maxConnections)`,
      };
    }
    if (fromAddress >= this.options.maxConnectionsPerAddress) {
      return {
        limit: 'address',
        message: `${key} has ${fromAddress} connections, the limit per address (controller.maxConnectionsPerAddress)`,
      };
    }
    this.total++;
    this.perAddress.set(key, fromAddress + 1);
    socket.once('close', () => {
      this.total--;
      const left = (this.perAddress.get(key) ?? 1) - 1;
      if (left > 0) this.perAddress.set(key, left);
      else this.perAddress.delete(key);
    });
    return undefined;
  }

  get open(): number {
    return this.total;
  }
}
