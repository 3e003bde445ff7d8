import net from 'node:net';
import tls from 'node:tls';
import type { Clock } from '../plugin/clock.js';
import type { Logger } from '../plugin/logger.js';
import type { NetworkErrorKind, SourceState } from '../ports/call-event-source.js';
import { type BackoffOptions, backoffDelayMs } from './backoff.js';
import { classifyNetworkError } from './network-error.js';

/** One TCP (or TLS) session; handed to the connector's hooks, dead once the socket closes. */
export interface ConnectionSession {
  /** Sequence number of this session (1 for the first). */
  readonly number: number;
  /** False once this session's socket closed; writes are then dropped. */
  readonly alive: boolean;
  write(data: string | Buffer): void;
  /** The protocol-level session is up (greeting answered, logged in): health says connected. */
  ready(): void;
  /** Drops the connection unless `answered()` comes within `timeoutMs` (a login, a keep-alive reply). */
  expectAnswer(timeoutMs: number, why: string): void;
  answered(): void;
  /** Runs `run` every `ms` while this session lives. */
  every(ms: number, run: () => void): void;
  /** Drops the connection, recording why (`auth` for a refused login, `protocol` for nonsense). */
  fail(kind: NetworkErrorKind, detail: string): void;
}

export interface ConnectionHooks {
  /** A socket connected: reset parsers, send the login. The session is not `ready` yet. */
  connected(session: ConnectionSession): void;
  data(chunk: Buffer, session: ConnectionSession): void;
  /** The session's socket closed, for whatever reason; a reconnect follows unless the connection stopped. */
  closed?(session: ConnectionSession): void;
}

export interface ReconnectingConnectionOptions {
  host: string;
  port: number;
  /** Connect with TLS (`true`, or the options for `tls.connect`). */
  tls?: boolean | tls.ConnectionOptions;
  backoff: BackoffOptions;
  /** Time from TCP connect until `ready()`; without it the connection is dropped. Default 10 s. */
  readyTimeoutMs?: number;
  /** For logs: `AMI`, `event socket`. */
  name: string;
  logger: Logger;
  clock: Clock;
  hooks: ConnectionHooks;
}

export interface ConnectionStatus {
  state: SourceState;
  detail?: string;
  reconnects: number;
  connectedSince?: Date;
  lastFailure?: { kind: NetworkErrorKind; detail: string; at: Date };
}

/**
 * Keeps one TCP session to a PBX: connects, hands bytes to the connector, reconnects with backoff when the
 * socket closes or a deadline passes, and keeps the health facts (state, reconnects, last failure).
 * Every timer it arms belongs to one session and dies with it, so `stop()` leaves no handle behind.
 */
export class ReconnectingConnection {
  private socket: net.Socket | undefined;
  private current: Session | undefined;
  private running = false;
  private state: SourceState = 'stopped';
  private detail: string | undefined;
  private reconnects = 0;
  private hadSession = false;
  private failures = 0;
  private sessions = 0;
  private connectedSince: Date | undefined;
  private lastFailure: ConnectionStatus['lastFailure'];
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ReconnectingConnectionOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.state = 'starting';
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.state = 'stopped';
    this.detail = undefined;
    this.connectedSince = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.current?.end();
    this.current = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  /** The live session, if a socket is connected. */
  get session(): ConnectionSession | undefined {
    return this.current?.alive ? this.current : undefined;
  }

  status(): ConnectionStatus {
    return {
      state: this.state,
      ...(this.detail ? { detail: this.detail } : {}),
      reconnects: this.reconnects,
      ...(this.connectedSince ? { connectedSince: this.connectedSince } : {}),
      ...(this.lastFailure ? { lastFailure: this.lastFailure } : {}),
    };
  }

  private connect(): void {
    const { host, port } = this.options;
    const socket = this.options.tls
      ? tls.connect({
          host,
          port,
          servername: net.isIP(host) ? undefined : host,
          ...(typeof this.options.tls === 'object' ? this.options.tls : {}),
        })
      : net.connect({ host, port });
    this.socket = socket;
    const session = new Session(++this.sessions, socket, this);
    this.current = session;
    socket.setNoDelay(true);
    socket.once(this.options.tls ? 'secureConnect' : 'connect', () => {
      if (this.current !== session) return;
      socket.setKeepAlive(true, 30_000);
      session.expectAnswer(this.options.readyTimeoutMs ?? 10_000, 'no greeting or login answer in time');
      this.options.hooks.connected(session);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.current === session && session.alive) this.options.hooks.data(chunk, session);
    });
    socket.on('error', (error) => {
      session.failed = true;
      this.recordFailure(
        classifyNetworkError(error),
        `connection to ${host}:${port} failed: ${error.message}`,
      );
    });
    socket.on('close', () => this.onClose(session, socket));
  }

  /** @internal Called by the session. */
  markReady(session: Session): void {
    if (this.current !== session) return;
    if (this.hadSession) this.reconnects++;
    this.hadSession = true;
    this.failures = 0;
    this.state = 'connected';
    this.detail = undefined;
    this.connectedSince = this.options.clock.now();
    this.options.logger.info(
      { host: this.options.host, port: this.options.port },
      `${this.options.name} session established`,
    );
  }

  /** @internal */
  recordFailure(kind: NetworkErrorKind, detail: string): void {
    this.detail = detail;
    this.lastFailure = { kind, detail, at: this.options.clock.now() };
  }

  private onClose(session: Session, socket: net.Socket): void {
    session.end();
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.current = undefined;
    this.connectedSince = undefined;
    if (!this.running) return;
    this.state = 'disconnected';
    if (!session.failed) this.recordFailure('closed', `connection closed by the ${this.options.name} server`);
    try {
      this.options.hooks.closed?.(session);
    } catch (error) {
      this.options.logger.error({ err: error }, `${this.options.name} close hook threw`);
    }
    const delay = backoffDelayMs(this.failures++, this.options.backoff);
    this.options.logger.warn(
      { detail: this.detail, retryInMs: Math.round(delay) },
      `${this.options.name} connection lost`,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running) this.connect();
    }, delay);
  }
}

class Session implements ConnectionSession {
  alive = true;
  /** A failure was recorded for this session (so its close needs no `closed` entry). */
  failed = false;
  private answerTimer: NodeJS.Timeout | undefined;
  private readonly intervals: NodeJS.Timeout[] = [];

  constructor(
    readonly number: number,
    private readonly socket: net.Socket,
    private readonly owner: ReconnectingConnection,
  ) {}

  write(data: string | Buffer): void {
    if (this.alive && !this.socket.destroyed) this.socket.write(data);
  }

  ready(): void {
    this.answered();
    if (this.alive) this.owner.markReady(this);
  }

  expectAnswer(timeoutMs: number, why: string): void {
    if (!this.alive) return;
    clearTimeout(this.answerTimer);
    this.answerTimer = setTimeout(() => this.fail('timeout', why), timeoutMs);
  }

  answered(): void {
    clearTimeout(this.answerTimer);
    this.answerTimer = undefined;
  }

  every(ms: number, run: () => void): void {
    if (this.alive) this.intervals.push(setInterval(run, ms));
  }

  fail(kind: NetworkErrorKind, detail: string): void {
    if (!this.alive) return;
    this.failed = true;
    this.owner.recordFailure(kind, detail);
    this.socket.destroy();
  }

  end(): void {
    this.alive = false;
    this.answered();
    for (const interval of this.intervals) clearInterval(interval);
    this.intervals.length = 0;
  }
}
