import dns from 'node:dns/promises';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
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
import type { CertificatePin } from './tls-pin.js';

export interface ControllerClientOptions {
  addresses: ControllerAddress[];
  tls: boolean;
  caFile?: string;
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
}

/** Close codes after which retrying at once would only repeat the refusal (see the host's close codes). */
const SLOW_RETRY_CODES = new Set([4401, 4403, 4426]);

export interface ControllerClientEvents {
  message: [HostMessage];
  connected: [ControllerAddress];
  disconnected: [string];
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
  current: ControllerAddress | undefined;

  constructor(private readonly options: ControllerClientOptions) {
    super();
    this.backoff = options.backoff ?? new Backoff();
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
      this.options.logger.warn(
        { reason, delayMs: delay },
        'the controller refused this agent; retrying later',
      );
      this.index = 0;
      this.timer = setTimeout(() => void this.connect(), delay);
      return;
    }
    // Every reconnect starts with the primary, then fails over in order.
    this.index = 0;
    const delay = this.backoff.next();
    this.options.logger.info({ reason, delayMs: delay }, 'controller connection lost; reconnecting');
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { addresses, logger } = this.options;
    for (let tries = 0; tries < addresses.length; tries++) {
      const address = addresses[this.index % addresses.length]!;
      try {
        await dns.lookup(address.host);
      } catch (error) {
        logger.warn(
          { host: address.host, code: (error as NodeJS.ErrnoException).code },
          'controller address does not resolve; skipping it',
        );
        this.index++;
        continue;
      }
      if (await this.open(address)) return;
      this.index++;
    }
    this.scheduleReconnect('no controller reachable');
  }

  private open(address: ControllerAddress): Promise<boolean> {
    const { tls, caFile, pin, logger } = this.options;
    const url = `${tls ? 'wss' : 'ws'}://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}/`;
    return new Promise((resolve) => {
      const socket = new WebSocket(url, {
        maxPayload: MAX_MESSAGE_BYTES,
        handshakeTimeout: 10_000,
        perMessageDeflate: false,
        ...(tls ? (caFile ? { ca: fs.readFileSync(caFile) } : { rejectUnauthorized: false }) : {}),
      });
      let settled = false;
      const settle = (ok: boolean) => {
        if (!settled) {
          settled = true;
          resolve(ok);
        }
      };
      socket.on('upgrade', async (response) => {
        if (!tls || caFile || !pin) return;
        const problem = await pin.verify((response.socket as TLSSocket).getPeerCertificate());
        if (problem) {
          logger.error({ address }, problem);
          socket.terminate();
        }
      });
      socket.on('open', () => {
        settle(true);
        this.socket = socket;
        this.current = address;
        this.backoff.reset();
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
        logger.debug({ address, err: error.message }, 'controller socket error');
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
