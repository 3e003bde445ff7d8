import net from 'node:net';
import type { CallEventPeer } from '@deskrec/core/testing';

/** A real TCP server in the test, playing a phone system that prints one line per call event. */
export interface FakePbx extends CallEventPeer<string> {
  readonly port: number;
}

export async function startFakePbx(): Promise<FakePbx> {
  const sockets = new Set<net.Socket>();
  let current: net.Socket | undefined;
  let sessions = 0;
  let consumed = 0;
  let wake: (() => void) | undefined;

  // The protocol has no login: a session starts as soon as the source connects.
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    current = socket;
    sessions++;
    wake?.();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    async nextSession() {
      consumed++;
      while (sessions < consumed) await new Promise<void>((resolve) => (wake = resolve));
    },
    async send(traffic) {
      const socket = current;
      if (!socket || socket.destroyed) throw new Error('no connected source to send to');
      // Uneven chunks, so lines straddle TCP reads as they do on a real network.
      for (let at = 0, size = 1; at < traffic.length; at += size, size = (size * 7 + 3) % 61 || 1) {
        socket.write(traffic.slice(at, at + size));
      }
      await new Promise<void>((resolve) => socket.write('', () => resolve()));
    },
    async drop() {
      current?.destroy();
      current = undefined;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
