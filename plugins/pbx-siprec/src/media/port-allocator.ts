import dgram from 'node:dgram';
import net from 'node:net';
import { bindUdp } from '../sip/transport.js';

export class NoFreePortError extends Error {
  override readonly name = 'NoFreePortError';
}

/**
 * Hands out RTP sockets on even ports of the configured range (odd ones stay free for RTCP, RFC 3550 §11),
 * round robin so a port just released is not reused at once, skipping ports something else holds.
 */
export class PortAllocator {
  private next: number;
  private readonly first: number;
  private readonly count: number;

  constructor(
    private readonly host: string,
    min: number,
    max: number,
  ) {
    this.first = min % 2 === 0 ? min : min + 1;
    this.count = Math.max(1, Math.floor((max - this.first) / 2) + 1);
    this.next = 0;
  }

  async open(): Promise<{ socket: dgram.Socket; port: number }> {
    for (let tried = 0; tried < this.count; tried++) {
      const port = this.first + 2 * this.next;
      this.next = (this.next + 1) % this.count;
      const socket = dgram.createSocket({ type: net.isIPv6(this.host) ? 'udp6' : 'udp4' });
      try {
        await bindUdp(socket, this.host, port);
        // A socket error (e.g. an ICMP answer) must never take the recorder down; RTP simply goes on.
        socket.on('error', () => undefined);
        // Room for a burst of packets while the event loop is busy with other calls.
        try {
          socket.setRecvBufferSize(256 * 1024);
        } catch {
          // The kernel cap (net.core.rmem_max) may be lower; the default buffer still works.
        }
        return { socket, port };
      } catch {
        // Taken by another process (or another recorder instance): try the next one.
      }
    }
    throw new NoFreePortError('no free RTP port in rtpPortMin..rtpPortMax');
  }
}
