/**
 * A real TCP server on 127.0.0.1 (ephemeral port) that plays a PBX in a connector's tests: it greets each
 * connection, splits what the client sends into commands, answers them through `respond`, sends traffic in
 * uneven chunks (so messages straddle reads as on a real network) and drops a connection at a chosen point.
 *
 * ```ts
 * const peer = await startTcpTestPeer({
 *   greeting: 'Asterisk Call Manager/5.0.1\r\n',
 *   delimiter: '\n\n',
 *   respond: (command) => (/^Action: Login/im.test(command) ? 'Response: Success\r\n\r\n' : undefined),
 * });
 * const first = await peer.nextConnection();
 * await first.expect(/^Action: Login/im);
 * await first.send(traffic);
 * await first.drop();
 * ```
 */
import net from 'node:net';

export interface TcpTestPeerOptions {
  /** Sent to every new connection before anything else (a banner, an auth request). */
  greeting?: string;
  /** What ends one command the client sends: `\n` (lines) or `\n\n` (blank-line blocks, the default). CRLF is read as LF. */
  delimiter?: '\n' | '\n\n';
  /** Answers a command: text returned is sent back whole. */
  respond?(command: string, connection: TcpPeerConnection): string | undefined | Promise<string | undefined>;
}

export interface TcpPeerConnection {
  /** 1 for the first connection the peer accepted. */
  readonly number: number;
  /** Every command received on this connection, in order, LF line ends. */
  readonly commands: readonly string[];
  readonly closed: boolean;
  /** Sends text in uneven chunks (`whole: true` for one write); resolves once it is handed to the kernel. */
  send(text: string, options?: { whole?: boolean }): Promise<void>;
  /** Resolves with the first command (received before or after the call) that matches; fails after `timeoutMs`. */
  expect(match: string | RegExp | ((command: string) => boolean), timeoutMs?: number): Promise<string>;
  /** Closes the connection from the PBX side; `reset: true` sends a TCP reset, as a crashing PBX does. */
  drop(options?: { reset?: boolean }): Promise<void>;
}

/** One step of a scripted exchange (see `TcpTestPeer.play`). */
export type PeerStep =
  | { send: string }
  | { expect: string | RegExp | ((command: string) => boolean) }
  | { drop: true };

export interface TcpTestPeer {
  readonly host: string;
  readonly port: number;
  readonly connections: readonly TcpPeerConnection[];
  /** The first call resolves with the first connection, the second with the second, and so on. */
  nextConnection(timeoutMs?: number): Promise<TcpPeerConnection>;
  /** Runs `steps` in order on `connection`. */
  play(connection: TcpPeerConnection, steps: readonly PeerStep[]): Promise<void>;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5000;

function matcher(match: string | RegExp | ((command: string) => boolean)): (command: string) => boolean {
  if (typeof match === 'function') return match;
  if (typeof match === 'string') return (command) => command.includes(match);
  return (command) => match.test(command);
}

class PeerConnection implements TcpPeerConnection {
  readonly commands: string[] = [];
  closed = false;
  private buffer = '';
  private waiters: (() => void)[] = [];

  constructor(
    readonly number: number,
    private readonly socket: net.Socket,
    private readonly options: TcpTestPeerOptions,
  ) {
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('data', (chunk: string) => this.receive(chunk));
  }

  async send(text: string, options: { whole?: boolean } = {}): Promise<void> {
    if (this.closed || this.socket.destroyed) throw new Error(`peer connection ${this.number} is closed`);
    if (options.whole) this.socket.write(text);
    else {
      for (let at = 0, size = 1; at < text.length; at += size, size = (size * 7 + 3) % 997 || 1) {
        this.socket.write(text.slice(at, at + size));
      }
    }
    await new Promise<void>((resolve) => this.socket.write('', () => resolve()));
  }

  async expect(
    match: string | RegExp | ((command: string) => boolean),
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<string> {
    const test = matcher(match);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.commands.find(test);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new Error(
          `peer connection ${this.number}: no command matching ${String(match)} (${this.closed ? 'closed' : `waited ${timeoutMs} ms`}); got ${JSON.stringify(this.commands)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
      });
    }
  }

  async drop(options: { reset?: boolean } = {}): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      if (options.reset) this.socket.resetAndDestroy();
      else this.socket.destroy();
    });
  }

  private receive(chunk: string): void {
    this.buffer += chunk.replace(/\r\n/g, '\n');
    const delimiter = this.options.delimiter ?? '\n\n';
    for (let end = this.buffer.indexOf(delimiter); end !== -1; end = this.buffer.indexOf(delimiter)) {
      const command = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + delimiter.length);
      if (command.trim() === '') continue;
      this.commands.push(command);
      this.wake();
      void this.answer(command);
    }
  }

  private async answer(command: string): Promise<void> {
    const reply = await this.options.respond?.(command, this);
    if (reply && !this.closed && !this.socket.destroyed) this.socket.write(reply);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export async function startTcpTestPeer(options: TcpTestPeerOptions = {}): Promise<TcpTestPeer> {
  const connections: PeerConnection[] = [];
  const sockets = new Set<net.Socket>();
  let handedOut = 0;
  let waiters: (() => void)[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const connection = new PeerConnection(connections.length + 1, socket, options);
    connections.push(connection);
    if (options.greeting) socket.write(options.greeting);
    const wake = waiters;
    waiters = [];
    for (const w of wake) w();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  const peer: TcpTestPeer = {
    host: '127.0.0.1',
    port,
    connections,
    async nextConnection(timeoutMs = DEFAULT_TIMEOUT_MS) {
      const index = handedOut++;
      const deadline = Date.now() + timeoutMs;
      while (connections.length <= index) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no connection number ${index + 1} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, left);
          function done() {
            clearTimeout(timer);
            resolve();
          }
          waiters.push(done);
        });
      }
      return connections[index] as PeerConnection;
    },
    async play(connection, steps) {
      for (const step of steps) {
        if ('send' in step) await connection.send(step.send);
        else if ('expect' in step) await connection.expect(step.expect);
        else await connection.drop();
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return peer;
}
