import net from 'node:net';
import type { CallEventPeer } from '@deskrec/core/testing';
import { parseHeaderBlock } from '../src/esl-parser.js';

export interface FakeEslOptions {
  password: string;
  /** Answer `api` keep-alives; off to play a server that went silent. */
  answerPings?: boolean;
}

/** A real TCP server in the test playing FreeSWITCH's event socket (inbound mode). Traffic is raw wire text. */
export interface FakeEsl extends CallEventPeer<string> {
  readonly port: number;
  /** Every command the client sent, in order. */
  readonly commands: string[];
  answerPings: boolean;
}

const reply = (text: string) => `Content-Type: command/reply\nReply-Text: ${text}\n\n`;

export async function startFakeEsl(options: FakeEslOptions): Promise<FakeEsl> {
  const sockets = new Set<net.Socket>();
  const commands: string[] = [];
  let current: net.Socket | undefined;
  let sessions = 0;
  let consumed = 0;
  let wake: (() => void) | undefined;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('utf8');
    let buffer = '';
    let authed = false;
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const command = buffer.slice(0, end).trim();
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        commands.push(command);
        if (command.startsWith('auth ')) {
          authed = command === `auth ${options.password}`;
          socket.write(reply(authed ? '+OK accepted' : '-ERR invalid'));
        } else if (!authed) {
          socket.write(reply('-ERR command not found'));
        } else if (command.startsWith('event ')) {
          const format = command.split(' ')[1];
          socket.write(reply(`+OK event listener enabled ${format}`));
          current = socket;
          sessions++;
          wake?.();
        } else if (command.startsWith('api ')) {
          if (fake.answerPings) {
            const body = 'FreeSWITCH Version 1.10.12-release (git a88d069 2024-08-02 21:02:27Z 64bit)\n';
            socket.write(`Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`);
          }
        } else {
          socket.write(reply('-ERR command not found'));
        }
      }
    });
    socket.write('Content-Type: auth/request\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const fake: FakeEsl = {
    port: (server.address() as net.AddressInfo).port,
    commands,
    answerPings: options.answerPings ?? true,
    async nextSession() {
      consumed++;
      while (sessions < consumed) await new Promise<void>((resolve) => (wake = resolve));
    },
    async send(traffic) {
      const socket = current;
      if (!socket || socket.destroyed) throw new Error('no event socket session to send to');
      const bytes = Buffer.from(traffic, 'utf8');
      // Uneven chunks: frames, headers and multi-byte characters straddle TCP reads.
      for (let at = 0, size = 1; at < bytes.length; at += size, size = (size * 7 + 3) % 997 || 1) {
        socket.write(bytes.subarray(at, at + size));
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

/** Splits a dump (text/event-plain bodies separated by blank lines) into event bodies. */
export function dumpEvents(dump: string): string[] {
  return dump
    .split(/\n\n+/)
    .map((block) => block.trim())
    .filter((block) => block.length > 0)
    .map((block) => `${block}\n\n`);
}

/** Frames dump events as FreeSWITCH sends them to a subscriber of the given format. */
export function frameDump(dump: string, format: 'plain' | 'json'): string {
  return dumpEvents(dump)
    .map((body) => {
      if (format === 'plain') {
        return `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`;
      }
      const json = JSON.stringify(parseHeaderBlock(body, true).headers);
      return `Content-Length: ${Buffer.byteLength(json)}\nContent-Type: text/event-json\n\n${json}`;
    })
    .join('');
}
