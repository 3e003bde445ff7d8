import net from 'node:net';
import {
  CallEventSchema,
  type CallEventSink,
  type CallEventSource,
  type CallEventSourceCapabilities,
  type Clock,
  type Logger,
  type SourceHealth,
  type SourceState,
  silentLogger,
  systemClock,
} from '@deskrec/core';
import { backoffDelayMs } from './backoff.js';
import { LineSplitter } from './line-splitter.js';
import type { LineProtocolOptions } from './options.js';
import { parseLine } from './parse-line.js';

export const LINE_PROTOCOL_CAPABILITIES: CallEventSourceCapabilities = Object.freeze({
  http: false,
  persistentConnection: true,
});

/** Longest excerpt of a bad line kept in a problem report. */
const EXCERPT_CHARS = 200;

export interface LineSourceDeps {
  logger?: Logger;
  clock?: Clock;
}

/** Keeps one TCP connection to the phone system, turns each line into a call event, reconnects on its own. */
export class LineProtocolSource implements CallEventSource {
  readonly capabilities = LINE_PROTOCOL_CAPABILITIES;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly splitter: LineSplitter;
  private sink: CallEventSink | undefined;
  private socket: net.Socket | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private running = false;
  private state: SourceState = 'stopped';
  private detail: string | undefined;
  private lastEventAt: Date | undefined;
  private reconnects = 0;
  private connectedBefore = false;
  private failures = 0;

  constructor(
    private readonly options: LineProtocolOptions,
    deps: LineSourceDeps = {},
  ) {
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.splitter = new LineSplitter(
      options.maxLineBytes,
      (line) => this.onLine(line),
      (start) => this.report(`line longer than ${options.maxLineBytes} bytes skipped`, start),
    );
  }

  async start(sink: CallEventSink): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.sink = sink;
    this.state = 'starting';
    this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.state = 'stopped';
    this.detail = undefined;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    if (socket && !socket.destroyed) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.destroy();
      });
    }
  }

  health(): SourceHealth {
    return {
      state: this.state,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.lastEventAt ? { lastEventAt: this.lastEventAt } : {}),
      reconnects: this.reconnects,
    };
  }

  private connect(): void {
    this.splitter.reset();
    const { host, port } = this.options;
    const socket = net.connect({ host, port });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      if (this.socket !== socket) return;
      socket.setKeepAlive(true, 30_000);
      if (this.connectedBefore) this.reconnects++;
      this.connectedBefore = true;
      this.failures = 0;
      this.state = 'connected';
      this.detail = undefined;
      this.logger.info({ host, port }, 'connected to the phone system');
    });
    socket.on('data', (chunk: string) => {
      if (this.socket === socket) this.splitter.push(chunk);
    });
    socket.on('error', (error) => {
      this.detail = `connection to ${host}:${port} failed: ${error.message}`;
    });
    socket.on('close', () => this.onClose(socket));
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    if (!this.running) return;
    this.state = 'disconnected';
    this.detail ??= 'connection closed by the phone system';
    const delay = backoffDelayMs(
      this.failures++,
      this.options.reconnectMinSeconds,
      this.options.reconnectMaxSeconds,
    );
    this.logger.warn({ detail: this.detail, retryInMs: Math.round(delay) }, 'phone system connection lost');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.running) this.connect();
    }, delay);
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    const parsed = parseLine(line, this.options.agentIdentifiedBy);
    if (!parsed.ok) {
      this.report(parsed.message, line);
      return;
    }
    // The core schema has the last word: lengths and formats the line parser does not know about.
    const checked = CallEventSchema.safeParse(parsed.event);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      this.report(`${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'invalid'}`, line);
      return;
    }
    this.lastEventAt = this.clock.now();
    try {
      this.sink?.event(checked.data);
    } catch (error) {
      this.logger.error({ err: error }, 'the call-event sink threw');
    }
  }

  private report(message: string, input: string): void {
    const excerpt = input.slice(0, EXCERPT_CHARS);
    this.logger.warn({ input: excerpt }, message);
    try {
      this.sink?.problem({ message, input: excerpt });
    } catch (error) {
      this.logger.error({ err: error }, 'the call-event sink threw');
    }
  }
}
