import net from 'node:net';
import {
  type CallEventInput,
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
import { type AmiMessage, AmiParser, amiAction } from './ami-parser.js';
import { backoffDelayMs } from './backoff.js';
import { CallTracker, USED_EVENTS } from './call-tracker.js';
import type { AsteriskOptions } from './options.js';

export const ASTERISK_CAPABILITIES: CallEventSourceCapabilities = Object.freeze({
  http: false,
  persistentConnection: true,
});

export interface AmiSourceDeps {
  logger?: Logger;
  clock?: Clock;
}

/** A call-event source fed by the Asterisk Manager Interface; keeps one TCP session and reconnects on its own. */
export class AmiSource implements CallEventSource {
  readonly capabilities = ASTERISK_CAPABILITIES;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly parser: AmiParser;
  private tracker: CallTracker;
  private sink: CallEventSink | undefined;
  private socket: net.Socket | undefined;
  private state: SourceState = 'stopped';
  private detail: string | undefined;
  private lastEventAt: Date | undefined;
  private reconnects = 0;
  private hadSession = false;
  private failures = 0;
  private actionSeq = 0;
  private loginId: string | undefined;
  private pendingPing: string | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly options: AsteriskOptions,
    deps: AmiSourceDeps = {},
  ) {
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.tracker = new CallTracker(options, () => this.clock.now());
    this.parser = new AmiParser({
      banner: (line) => this.onBanner(line),
      message: (message) => this.onMessage(message),
      problem: (message, input) => this.report(message, input),
    });
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
    this.clearTimers();
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
    this.parser.reset();
    const socket = net.connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('connect', () => {
      socket.setKeepAlive(true, 30_000);
      // The banner and the login answer must come in time, or the session is dead.
      this.armAnswerTimer('no banner or login answer from Asterisk');
    });
    socket.on('data', (chunk: string) => {
      if (this.socket === socket) this.parser.push(chunk);
    });
    socket.on('error', (error) => {
      this.detail = `connection to ${this.options.host}:${this.options.port} failed: ${error.message}`;
    });
    socket.on('close', () => this.onClose(socket));
  }

  private onClose(socket: net.Socket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.clearTimers();
    if (!this.running) return;
    this.state = 'disconnected';
    this.detail ??= 'connection closed by Asterisk';
    const delay = backoffDelayMs(
      this.failures++,
      this.options.reconnectMinSeconds,
      this.options.reconnectMaxSeconds,
    );
    this.logger.warn({ detail: this.detail, retryInMs: Math.round(delay) }, 'AMI connection lost');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.running) this.connect();
    }, delay);
  }

  private onBanner(line: string): void {
    this.loginId = this.nextActionId();
    this.logger.debug({ banner: line }, 'AMI banner');
    this.send({
      Action: 'Login',
      ActionID: this.loginId,
      Username: this.options.username,
      Secret: this.options.secret,
      Events: this.options.eventMask,
    });
  }

  private onMessage(message: AmiMessage): void {
    if (message.response !== undefined) {
      this.onResponse(message);
      return;
    }
    if (!CallTracker.wants(message)) return;
    const result = this.tracker.track(message);
    if (result.problem) this.report(result.problem.message, result.problem.input);
    for (const event of result.events) this.emit(event);
  }

  private onResponse(message: AmiMessage): void {
    const id = message.actionid;
    if (id !== undefined && id === this.loginId) {
      this.loginId = undefined;
      clearTimeout(this.answerTimer);
      if (message.response?.toLowerCase() !== 'success') {
        this.detail = `login refused: ${message.message ?? message.response}`;
        this.logger.error({ username: this.options.username }, this.detail);
        this.socket?.destroy();
        return;
      }
      this.onSession();
      return;
    }
    if (id !== undefined && id === this.pendingPing) {
      this.pendingPing = undefined;
      clearTimeout(this.answerTimer);
    }
  }

  private onSession(): void {
    if (this.hadSession) this.reconnects++;
    this.hadSession = true;
    this.failures = 0;
    this.state = 'connected';
    this.detail = undefined;
    this.logger.info({ host: this.options.host, port: this.options.port }, 'AMI session established');
    if (this.options.serverFilter) {
      this.send({
        Action: 'Filter',
        ActionID: this.nextActionId(),
        Operation: 'Add',
        Filter: `Event: (${USED_EVENTS.join('|')})`,
      });
    }
    this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalSeconds * 1000);
  }

  private ping(): void {
    if (this.pendingPing) return;
    this.pendingPing = this.nextActionId();
    this.send({ Action: 'Ping', ActionID: this.pendingPing });
    this.armAnswerTimer('no answer to Ping');
  }

  private armAnswerTimer(why: string): void {
    clearTimeout(this.answerTimer);
    const socket = this.socket;
    this.answerTimer = setTimeout(() => {
      this.detail = why;
      socket?.destroy();
    }, this.options.pingTimeoutSeconds * 1000);
  }

  private clearTimers(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.answerTimer);
    this.pingTimer = undefined;
    this.answerTimer = undefined;
    this.pendingPing = undefined;
    this.loginId = undefined;
  }

  private emit(input: CallEventInput): void {
    const parsed = CallEventSchema.safeParse(input);
    if (!parsed.success) {
      this.report(
        `call event failed validation: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        JSON.stringify(input),
      );
      return;
    }
    this.lastEventAt = this.clock.now();
    try {
      this.sink?.event(parsed.data);
    } catch (error) {
      this.logger.error({ err: error }, 'call-event sink threw');
    }
  }

  private report(message: string, input?: string): void {
    this.logger.warn({ input }, message);
    try {
      this.sink?.problem({ message, ...(input !== undefined ? { input: input.slice(0, 200) } : {}) });
    } catch (error) {
      this.logger.error({ err: error }, 'call-event sink threw');
    }
  }

  private send(fields: Record<string, string>): void {
    this.socket?.write(amiAction(fields));
  }

  private nextActionId(): string {
    return `deskrec-${++this.actionSeq}`;
  }
}
