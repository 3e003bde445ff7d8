import dns from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import {
  type AgentMessageBody,
  decodeHostMessage,
  type HostMessage,
  type Logger,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
} from '@deskrec/core';
import WebSocket from 'ws';
import type { ControllerAddress } from '../config/address.js';
import { Backoff } from './backoff.js';
import { type ConnectionProblem, ConnectionReporter, describeConnectionError } from './connection-problem.js';
import type { CertificatePin } from './tls-pin.js';

export interface ControllerClientOptions {
  addresses: ControllerAddress[];
  tls: boolean;
  caFile?: string;
  /** PEM client certificate and key, presented when the host requires client certificates (controller.tlsCa). */
  certFile?: string;
  keyFile?: string;
  pin?: CertificatePin;
  logger: Logger;
  /** The hello to send on every (re)connect; built fresh so it carries the current login. */
  hello(): Omit<Extract<AgentMessageBody, { type: 'hello' }>, 'type'>;
  returnToPrimaryMs: number;
  /** Silence from the host longer than this ends the connection (the host pings every interval). */
  deadAfterMs?: number;
  backoff?: Backoff;
  /** Wait after the host said not to come back soon (rejected, forbidden, wrong protocol); default 5 min. */
  slowRetryMs?: number;
  /** How often the agent says it is alive, so the host's "last seen" stays current; default 30 s. */
  heartbeatMs?: number;
  /** Where the one-line connection problems go (default stderr); one line per distinct problem. */
  console?: (line: string) => void;
}

/** Close codes after which retrying at once would only repeat the refusal (see the host's close codes). */
const SLOW_RETRY_CODES = new Set([4401, 4403, 4423, 4426]);

export interface ControllerClientEvents {
  message: [HostMessage];
  connected: [ControllerAddress];
  disconnected: [string];
  problem: [ControllerAddress, ConnectionProblem];
}

/**
 * The agent's control connection: connects to the primary controller, fails over to the secondary,
 * returns to the primary when it is back, and reconnects with backoff and jitter. An address that does
 * not resolve is skipped, never replaced by another.
 */
export class ControllerClient extends EventEmitter<ControllerClientEvents> {
  private socket: WebSocket | undefined;
  private stopped = false;
  private index = 0;
  private timer: NodeJS.Timeout | undefined;
  private primaryProbe: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private readonly reporter: ConnectionReporter;
  current: ControllerAddress | undefined;
  /** The last problem per controller, for `status`; cleared on connect. */
  lastProblem: ConnectionProblem | undefined;

  constructor(private readonly options: ControllerClientOptions) {
    super();
    this.backoff = options.backoff ?? new Backoff();
    this.reporter = new ConnectionReporter(options.console ?? ((line) => process.stderr.write(`${line}\n`)));
  }

  private report(address: ControllerAddress, problem: ConnectionProblem): void {
    this.lastProblem = problem;
    this.options.logger.debug({ address, kind: problem.kind }, problem.message);
    this.reporter.problem(address, problem);
    this.emit('problem', address, problem);
  }

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  send(message: AgentMessageBody): boolean {
    if (!this.connected) return false;
    this.socket!.send(JSON.stringify({ v: PROTOCOL_VERSION, ...message }));
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.primaryProbe);
    clearTimeout(this.watchdog);
    clearInterval(this.heartbeat);
    const socket = this.socket;
    this.socket = undefined;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.close(1000, 'agent stopping');
        setTimeout(() => {
          socket.terminate();
          resolve();
        }, 2000).unref();
      });
    }
  }

  private scheduleReconnect(reason: string, code?: number): void {
    if (this.stopped) return;
    if (code !== undefined && SLOW_RETRY_CODES.has(code)) {
      const delay = this.options.slowRetryMs ?? 5 * 60_000;
      const address = this.current ?? this.options.addresses[0]!;
      this.report(address, {
        kind: 'refused-by-host',
        message: `the controller refused this agent (${reason}); retrying in ${Math.round(delay / 1000)} s`,
      });
      this.index = 0;
      this.timer = setTimeout(() => void this.connect(), delay);
      return;
    }
    // Every reconnect starts with the primary, then fails over in order.
    this.index = 0;
    const delay = this.backoff.next();
    this.options.logger.debug({ reason, delayMs: delay }, 'controller not connected; reconnecting');
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { addresses } = this.options;
    for (let tries = 0; tries < addresses.length; tries++) {
      const address = addresses[this.index % addresses.length]!;
      try {
        await dns.lookup(address.host);
      } catch (error) {
        this.report(address, describeConnectionError(error as Error, address, this.options.tls));
        this.index++;
        continue;
      }
      if (await this.open(address)) return;
      this.index++;
    }
    this.scheduleReconnect('no controller reachable');
  }

  /** TLS options for one attempt; files are read each time so a renewed client certificate is picked up. */
  private tlsOptions(): tls.ConnectionOptions {
    const { caFile, certFile, keyFile } = this.options;
    return {
      ...(caFile ? { ca: fs.readFileSync(caFile) } : { rejectUnauthorized: false }),
      ...(certFile ? { cert: fs.readFileSync(certFile) } : {}),
      ...(keyFile ? { key: fs.readFileSync(keyFile) } : {}),
    };
  }

  /** A TLS connection that fails during the handshake when the certificate does not match the pin. */
  private pinnedConnect(options: tls.ConnectionOptions): net.Socket {
    const socket = tls.connect(options);
    const pin = this.options.pin;
    if (pin && !this.options.caFile) {
      socket.once('secureConnect', () => {
        const problem = pin.check(socket.getPeerCertificate());
        if (problem) socket.destroy(new Error(problem));
      });
    }
    return socket;
  }

  private open(address: ControllerAddress): Promise<boolean> {
    const { tls: useTls, logger } = this.options;
    const url = `${useTls ? 'wss' : 'ws'}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}/`;
    return new Promise((resolve) => {
      let tlsOptions: tls.ConnectionOptions = {};
      try {
        if (useTls) tlsOptions = this.tlsOptions();
      } catch (error) {
        this.report(address, {
          kind: 'client-cert',
          message: `cannot read the TLS files: ${(error as Error).message}`,
        });
        resolve(false);
        return;
      }
      const socket = new WebSocket(url, {
        maxPayload: MAX_MESSAGE_BYTES,
        handshakeTimeout: 10_000,
        perMessageDeflate: false,
        ...tlsOptions,
        ...(useTls ? { createConnection: (o: tls.ConnectionOptions) => this.pinnedConnect(o) } : {}),
      } as WebSocket.ClientOptions);
      let settled = false;
      let answered = false;
      const settle = (ok: boolean) => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      socket.on('unexpected-response', (_request, response) => {
        this.report(address, {
          kind: useTls ? 'other' : 'tls-expected',
          message: `${address.host}:${address.port} answered HTTP ${response.statusCode} instead of a controller WebSocket${useTls ? '' : ': if it is the TLS port (6092), set USE_SSL=1'}`,
        });
        socket.terminate();
      });
      socket.on('open', () => {
        settle(true);
        this.socket = socket;
        this.current = address;
        this.lastProblem = undefined;
        this.reporter.connected(address);
        this.armWatchdog(socket);
        socket.send(JSON.stringify({ v: PROTOCOL_VERSION, type: 'hello', ...this.options.hello() }));
        logger.info({ address }, 'connected to controller');
        this.emit('connected', address);
        this.heartbeat = setInterval(
          () => this.send({ type: 'heartbeat', at: new Date().toISOString() }),
          this.options.heartbeatMs ?? 30_000,
        );
        this.heartbeat.unref();
        this.watchPrimary();
      });
      socket.on('ping', () => this.armWatchdog(socket));
      socket.on('message', (data) => {
        this.armWatchdog(socket);
        // Only a host that answered counts as success: one that accepts and drops at once keeps backing off.
        if (!answered) {
          answered = true;
          this.backoff.reset();
        }
        const decoded = decodeHostMessage(data as Buffer);
        if (!decoded.ok) {
          logger.warn(
            { code: decoded.code },
            `controller sent a message this agent cannot use: ${decoded.message}`,
          );
          return;
        }
        this.emit('message', decoded.message);
      });
      socket.on('error', (error) => {
        if (!settled) this.report(address, describeConnectionError(error, address, useTls));
        else logger.debug({ address, err: error.message }, 'controller socket error');
      });
      socket.on('close', (code, reason) => {
        settle(false);
        if (this.socket !== socket) return;
        this.socket = undefined;
        clearTimeout(this.watchdog);
        clearInterval(this.primaryProbe);
        clearInterval(this.heartbeat);
        const why = `closed (${code}${reason.length ? `: ${reason.toString()}` : ''})`;
        this.emit('disconnected', why);
        this.scheduleReconnect(why, code);
      });
    });
  }

  private armWatchdog(socket: WebSocket): void {
    const limit = this.options.deadAfterMs;
    if (!limit) return;
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.options.logger.warn({}, 'controller silent for too long; reconnecting');
      socket.terminate();
    }, limit);
  }

  /** While on a secondary, keep checking whether the primary is back, and move there when it is. */
  private watchPrimary(): void {
    clearInterval(this.primaryProbe);
    const primary = this.options.addresses[0]!;
    if (this.current === primary || this.options.addresses.length < 2) return;
    this.primaryProbe = setInterval(() => {
      const probe = net.connect(primary.port, primary.host);
      probe.setTimeout(3000, () => probe.destroy());
      probe.once('error', () => probe.destroy());
      probe.once('connect', () => {
        probe.end();
        this.options.logger.info({ primary }, 'primary controller is back; moving to it');
        this.index = 0;
        clearInterval(this.primaryProbe);
        this.socket?.close(1000, 'returning to primary');
      });
    }, this.options.returnToPrimaryMs);
    this.primaryProbe.unref();
  }
}
