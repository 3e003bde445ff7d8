import type { CallEventPeer } from '@deskrec/core/testing';
import { startTcpTestPeer, type TcpPeerConnection } from '@deskrec/core/testing';
import type { LiveCallRow } from '../src/call-tracker.js';
import { parseHeaderBlock } from '../src/esl-parser.js';

export interface FakeEslOptions {
  password: string;
  /** Answer `api` keep-alives; off to play a server that went silent. */
  answerPings?: boolean;
}

/**
 * A real TCP server in the test (core's TCP test peer) playing FreeSWITCH's event socket (inbound mode):
 * auth, event subscription, `api version`, `api show calls as json` answered from `live`. Traffic is raw
 * wire text.
 */
export interface FakeEsl extends CallEventPeer<string> {
  readonly port: number;
  /** Every command the client sent, in order. */
  readonly commands: string[];
  answerPings: boolean;
  /** What `show calls as json` lists. */
  live: LiveCallRow[];
  drop(): Promise<void>;
  readonly connection: TcpPeerConnection | undefined;
}

const reply = (text: string) => `Content-Type: command/reply\nReply-Text: ${text}\n\n`;
const api = (body: string) =>
  `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;

export async function startFakeEsl(options: FakeEslOptions): Promise<FakeEsl> {
  const commands: string[] = [];
  const authed = new WeakSet<TcpPeerConnection>();
  let current: TcpPeerConnection | undefined;
  let sessions = 0;
  let consumed = 0;
  let wake: (() => void) | undefined;

  const peer = await startTcpTestPeer({
    greeting: 'Content-Type: auth/request\n\n',
    delimiter: '\n\n',
    respond(raw, connection) {
      const command = raw.trim();
      commands.push(command);
      if (command.startsWith('auth ')) {
        if (command === `auth ${options.password}`) authed.add(connection);
        return reply(authed.has(connection) ? '+OK accepted' : '-ERR invalid');
      }
      if (!authed.has(connection)) return reply('-ERR command not found');
      if (command.startsWith('event ')) {
        current = connection;
        sessions++;
        wake?.();
        return reply(`+OK event listener enabled ${command.split(' ')[1]}`);
      }
      if (command === 'api show calls as json') {
        const rows = fake.live;
        return api(JSON.stringify(rows.length === 0 ? { row_count: 0 } : { row_count: rows.length, rows }));
      }
      if (command.startsWith('api ')) {
        if (!fake.answerPings) return undefined;
        return api('FreeSWITCH Version 1.10.12-release (git a88d069 2024-08-02 21:02:27Z 64bit)\n');
      }
      return reply('-ERR command not found');
    },
  });

  const fake: FakeEsl = {
    port: peer.port,
    commands,
    answerPings: options.answerPings ?? true,
    live: [],
    get connection() {
      return current;
    },
    async nextSession() {
      consumed++;
      while (sessions < consumed) await new Promise<void>((resolve) => (wake = resolve));
    },
    async send(traffic) {
      if (!current || current.closed) throw new Error('no event socket session to send to');
      await current.send(traffic);
    },
    async drop() {
      await current?.drop();
      current = undefined;
    },
    close: () => peer.close(),
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
