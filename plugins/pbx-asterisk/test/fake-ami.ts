import net from 'node:net';
import type { CallEventPeer } from '@deskrec/core/testing';
import { type AmiMessage, AmiParser, amiAction } from '../src/ami-parser.js';

export interface FakeAmiOptions {
  username: string;
  secret: string;
  /** Answer `Action: Ping`; off to play a server that went silent. */
  answerPings?: boolean;
  banner?: string;
}

/** A real TCP server in the test playing Asterisk's Manager Interface: banner, Login, Ping, then replayed traffic. */
export interface FakeAmi extends CallEventPeer<string> {
  readonly port: number;
  /** Every action the client sent, in order (Secret included, to check the login). */
  readonly actions: AmiMessage[];
  answerPings: boolean;
}

export async function startFakeAmi(options: FakeAmiOptions): Promise<FakeAmi> {
  const sockets = new Set<net.Socket>();
  const actions: AmiMessage[] = [];
  let current: net.Socket | undefined;
  let sessions = 0;
  let consumed = 0;
  let wake: (() => void) | undefined;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    const parser = new AmiParser({
      banner: () => undefined,
      problem: () => undefined,
      message: (action) => {
        actions.push(action);
        const id = action.actionid ?? '';
        switch (action.action?.toLowerCase()) {
          case 'login':
            if (action.username === options.username && action.secret === options.secret) {
              socket.write(
                amiAction({ Response: 'Success', ActionID: id, Message: 'Authentication accepted' }),
              );
              socket.write(
                amiAction({ Event: 'FullyBooted', Privilege: 'system,all', Status: 'Fully Booted' }),
              );
              current = socket;
              sessions++;
              wake?.();
            } else {
              socket.write(amiAction({ Response: 'Error', ActionID: id, Message: 'Authentication failed' }));
            }
            break;
          case 'ping':
            if (fake.answerPings) {
              socket.write(
                amiAction({
                  Response: 'Success',
                  ActionID: id,
                  Ping: 'Pong',
                  Timestamp: `${Date.now() / 1000}`,
                }),
              );
            }
            break;
          default:
            socket.write(amiAction({ Response: 'Success', ActionID: id, Message: 'Accepted' }));
        }
      },
    });
    socket.on('data', (chunk: string) => parser.push(chunk));
    socket.write(`${options.banner ?? 'Asterisk Call Manager/5.0.1'}\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;

  const fake: FakeAmi = {
    port: address.port,
    actions,
    answerPings: options.answerPings ?? true,
    async nextSession() {
      consumed++;
      while (sessions < consumed) await new Promise<void>((resolve) => (wake = resolve));
    },
    async send(traffic) {
      const socket = current;
      if (!socket || socket.destroyed) throw new Error('no AMI session to send to');
      // Uneven chunks, so messages and lines straddle TCP reads as they do on a real network.
      for (let at = 0, size = 1; at < traffic.length; at += size, size = (size * 7 + 3) % 997 || 1) {
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
  return fake;
}

/** Transcript files are stored with LF line ends; the wire uses CRLF. */
export const toCrlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
