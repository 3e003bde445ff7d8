import type { CallEventPeer } from '@deskrec/core/testing';
import { startTcpTestPeer, type TcpPeerConnection } from '@deskrec/core/testing';
import { type AmiMessage, AmiParser, amiAction } from '../src/ami-parser.js';

export interface FakeAmiOptions {
  username: string;
  secret: string;
  /** Answer `Action: Ping`; off to play a server that went silent. */
  answerPings?: boolean;
  banner?: string;
}

/** One live channel as `CoreShowChannel` reports it (header names as Asterisk spells them). */
export type LiveRow = Record<string, string>;

/**
 * A real TCP server in the test (core's TCP test peer) playing Asterisk's Manager Interface: banner, Login,
 * Ping, CoreShowChannels answered from `live`, then replayed traffic.
 */
export interface FakeAmi extends CallEventPeer<string> {
  readonly port: number;
  /** Every action the client sent, in order (Secret included, to check the login). */
  readonly actions: AmiMessage[];
  answerPings: boolean;
  /** What CoreShowChannels lists: the channels "up" at this PBX. */
  live: LiveRow[];
  /** When set, CoreShowChannels is answered (with `live` as it was when asked) only once this resolves. */
  holdListing: Promise<void> | undefined;
  drop(): Promise<void>;
  /** The connection of the current session. */
  readonly connection: TcpPeerConnection | undefined;
}

/** The rows of a CoreShowChannels answer, in the order Asterisk sends them. */
export function coreShowChannels(id: string, rows: readonly LiveRow[]): string {
  return [
    amiAction({ Response: 'Success', ActionID: id, EventList: 'start', Message: 'Channels will follow' }),
    ...rows.map((row) => amiAction({ Event: 'CoreShowChannel', ActionID: id, ...row })),
    amiAction({
      Event: 'CoreShowChannelsComplete',
      ActionID: id,
      EventList: 'Complete',
      ListItems: String(rows.length),
    }),
  ].join('');
}

export async function startFakeAmi(options: FakeAmiOptions): Promise<FakeAmi> {
  const actions: AmiMessage[] = [];
  let sessions = 0;
  let consumed = 0;
  let current: TcpPeerConnection | undefined;
  let wake: (() => void) | undefined;
  const parse = (command: string): AmiMessage => {
    let parsed: AmiMessage = {};
    const parser = new AmiParser({
      banner: () => undefined,
      problem: () => undefined,
      message: (m) => (parsed = m),
    });
    parser.push(`banner\n${command}\n\n`);
    return parsed;
  };
  const peer = await startTcpTestPeer({
    greeting: `${options.banner ?? 'Asterisk Call Manager/5.0.1'}\r\n`,
    delimiter: '\n\n',
    respond(command, connection) {
      const action = parse(command);
      actions.push(action);
      const id = action.actionid ?? '';
      switch (action.action?.toLowerCase()) {
        case 'login':
          if (action.username === options.username && action.secret === options.secret) {
            current = connection;
            sessions++;
            wake?.();
            return (
              amiAction({ Response: 'Success', ActionID: id, Message: 'Authentication accepted' }) +
              amiAction({ Event: 'FullyBooted', Privilege: 'system,all', Status: 'Fully Booted' })
            );
          }
          return amiAction({ Response: 'Error', ActionID: id, Message: 'Authentication failed' });
        case 'ping':
          if (!fake.answerPings) return undefined;
          return amiAction({
            Response: 'Success',
            ActionID: id,
            Ping: 'Pong',
            Timestamp: `${Date.now() / 1000}`,
          });
        case 'coreshowchannels': {
          const rows = fake.live;
          const hold = fake.holdListing;
          return hold ? hold.then(() => coreShowChannels(id, rows)) : coreShowChannels(id, rows);
        }
        default:
          return amiAction({ Response: 'Success', ActionID: id, Message: 'Accepted' });
      }
    },
  });

  const fake: FakeAmi = {
    port: peer.port,
    actions,
    answerPings: options.answerPings ?? true,
    live: [],
    holdListing: undefined,
    get connection() {
      return current;
    },
    async nextSession() {
      consumed++;
      while (sessions < consumed) await new Promise<void>((resolve) => (wake = resolve));
    },
    async send(traffic) {
      if (!current || current.closed) throw new Error('no AMI session to send to');
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

/** Transcript files are stored with LF line ends; the wire uses CRLF. */
export const toCrlf = (text: string): string => text.replace(/\r?\n/g, '\r\n');
