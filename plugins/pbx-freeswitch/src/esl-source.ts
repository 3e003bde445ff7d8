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
import { backoffDelayMs } from './backoff.js';
import { CallTracker, SUBSCRIBED_EVENTS } from './call-tracker.js';
import { decodeEvent, type EslFrame, EslParser } from './esl-parser.js';
import type { FreeswitchOptions } from './options.js';

export const FREESWITCH_CAPABILITIES: CallEventSourceCapabilities = Object.freeze({
  http: false,
  persistentConnection: true,
});

export interface EslSourceDeps {
  logger?: Logger;
  clock?: Clock;
}

/** What each outstanding command was; ESL answers commands strictly in order. */
type Pending = 'auth' | 'subscribe' | 'ping';

/** A call-event source on FreeSWITCH's event socket (inbound mode); reconnects on its own. */
export class EslSource implements CallEventSource {
  readonly capabilities = FREESWITCH_CAPABILITIES;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly parser: EslParser;
  private readonly tracker: CallTracker;
  private sink: CallEventSink | undefined;
  private socket: net.Socket | undefined;
  private state: SourceState = 'stopped';
  private detail: string | undefined;
  private lastEventAt: Date | undefined;
  private reconnects = 0;
  private hadSession = false;
  private failures = 0;
  private pending: Pending[] = [];
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private answerTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly options: FreeswitchOptions,
    deps: EslSourceDeps = {},
  ) {
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.tracker = new CallTracker(options, () => this.clock.now());
    this.parser = new EslParser({
      frame: (frame) => this.onFrame(frame),
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
    this.pending = [];
    const socket = net.connect({ host: this.options.host, port: this.options.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      socket.setKeepAlive(true, 30_000);
      this.armAnswerTimer('no auth/request greeting or reply from FreeSWITCH');
    });
    socket.on('data', (chunk: Buffer) => {
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
    this.detail ??= 'connection closed by FreeSWITCH';
    const delay = backoffDelayMs(
      this.failures++,
      this.options.reconnectMinSeconds,
      this.options.reconnectMaxSeconds,
    );
    this.logger.warn({ detail: this.detail, retryInMs: Math.round(delay) }, 'event socket connection lost');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.running) this.connect();
    }, delay);
  }

  private onFrame(frame: EslFrame): void {
    const type = frame.headers['Content-Type'];
    switch (type) {
      case 'auth/request':
        this.command(`auth ${this.options.password}`, 'auth');
        return;
      case 'command/reply':
      case 'api/response':
        this.onReply(type === 'command/reply' ? (frame.headers['Reply-Text'] ?? '') : frame.body);
        return;
      case 'text/event-plain':
      case 'text/event-json':
        this.onEvent(type, frame.body);
        return;
      case 'text/disconnect-notice':
      case 'text/rude-rejection':
        this.detail = `FreeSWITCH closed the session (${type}): ${frame.body.trim().slice(0, 120)}`;
        return;
      default:
        return;
    }
  }

  private onReply(text: string): void {
    const what = this.pending.shift();
    if (this.pending.length === 0) clearTimeout(this.answerTimer);
    if (what === 'auth') {
      if (!text.startsWith('+OK')) {
        this.detail = `authentication refused: ${text.trim().slice(0, 120)}`;
        this.logger.error({ host: this.options.host }, this.detail);
        this.socket?.destroy();
        return;
      }
      this.command(`event ${this.options.format} ${SUBSCRIBED_EVENTS.join(' ')}`, 'subscribe');
      return;
    }
    if (what === 'subscribe') {
      if (!text.startsWith('+OK')) {
        this.detail = `event subscription refused: ${text.trim().slice(0, 120)}`;
        this.socket?.destroy();
        return;
      }
      this.onSession();
    }
  }

  private onSession(): void {
    if (this.hadSession) this.reconnects++;
    this.hadSession = true;
    this.failures = 0;
    this.state = 'connected';
    this.detail = undefined;
    this.logger.info(
      { host: this.options.host, port: this.options.port },
      'event socket session established',
    );
    this.pingTimer = setInterval(() => {
      if (!this.pending.includes('ping')) this.command('api version', 'ping');
    }, this.options.pingIntervalSeconds * 1000);
  }

  private onEvent(type: string, body: string): void {
    const event = decodeEvent(type, body);
    if (typeof event === 'string') {
      this.report(event, body.slice(0, 200));
      return;
    }
    if (!event['Event-Name']) {
      this.report('FreeSWITCH event without Event-Name', body.slice(0, 200));
      return;
    }
    if (!CallTracker.wants(event)) return;
    const result = this.tracker.track(event);
    if (result.problem) this.report(result.problem.message, result.problem.input);
    for (const call of result.events) this.emit(call);
  }

  private command(text: string, what: Pending): void {
    this.pending.push(what);
    this.socket?.write(`${text.replace(/[\r\n]/g, ' ')}\n\n`);
    this.armAnswerTimer(what === 'ping' ? 'no reply to keep-alive' : `no reply to ${what}`);
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
}
