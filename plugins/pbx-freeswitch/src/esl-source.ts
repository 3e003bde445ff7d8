import {
  type CallEventSink,
  type CallEventSource,
  type CallEventSourceCapabilities,
  type Clock,
  type ConnectionSession,
  connectorHealth,
  EventRelay,
  type Logger,
  type ReconcileReport,
  type ReconcileTrigger,
  ReconnectingConnection,
  type SourceHealth,
  silentLogger,
  systemClock,
} from '@deskrec/core';
import { CallTracker, type LiveCallRow, SUBSCRIBED_EVENTS } from './call-tracker.js';
import { CALLCENTER_SUBCLASS } from './callcenter.js';
import { decodeEvent, type EslFrame, EslParser } from './esl-parser.js';
import type { FreeswitchOptions } from './options.js';
import { RECORDING_EVENTS } from './recording-file.js';

export const FREESWITCH_CAPABILITIES: CallEventSourceCapabilities = Object.freeze({
  http: false,
  persistentConnection: true,
  reconcile: true,
});

export interface EslSourceDeps {
  logger?: Logger;
  clock?: Clock;
}

/** What each outstanding command was; ESL answers commands strictly in order. */
type Pending = 'auth' | 'subscribe' | 'ping' | { reconcile: ReconcileTrigger };

/** The live-call list asked for on every session and periodically. */
const LIVE_CALLS_COMMAND = 'api show calls as json';

/**
 * A call-event source on FreeSWITCH's event socket (inbound mode). Core's ReconnectingConnection keeps the
 * TCP session; this class authenticates, subscribes, keeps the session alive with `api version`, and
 * reconciles with `show calls as json` on every session and every `reconcileIntervalSeconds`. A disconnect
 * notice (FreeSWITCH shutting down) or a SHUTDOWN event ends the open calls.
 */
export class EslSource implements CallEventSource {
  readonly capabilities = FREESWITCH_CAPABILITIES;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly parser: EslParser;
  private readonly relay: EventRelay;
  private readonly tracker: CallTracker;
  private readonly connection: ReconnectingConnection;
  private session: ConnectionSession | undefined;
  private pending: Pending[] = [];
  private lastReconcile: ReconcileReport | undefined;

  constructor(
    private readonly options: FreeswitchOptions,
    deps: EslSourceDeps = {},
  ) {
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.relay = new EventRelay(this.logger, this.clock);
    this.tracker = new CallTracker(options, () => this.clock.now());
    this.parser = new EslParser({
      frame: (frame) => this.onFrame(frame),
      problem: (message, input) => this.relay.problem(message, input),
    });
    this.connection = new ReconnectingConnection({
      name: 'event socket',
      host: options.host,
      port: options.port,
      backoff: { minMs: options.reconnectMinSeconds * 1000, maxMs: options.reconnectMaxSeconds * 1000 },
      readyTimeoutMs: options.pingTimeoutSeconds * 1000,
      logger: this.logger,
      clock: this.clock,
      hooks: {
        connected: (session) => {
          this.session = session;
          this.parser.reset();
          this.pending = [];
        },
        data: (chunk) => this.parser.push(chunk),
        closed: () => {
          this.session = undefined;
          this.pending = [];
          this.tracker.abortReconcile();
        },
      },
    });
  }

  async start(sink: CallEventSink): Promise<void> {
    this.relay.attach(sink);
    this.connection.start();
  }

  async stop(): Promise<void> {
    this.relay.detach();
    await this.connection.stop();
  }

  health(): SourceHealth {
    return connectorHealth(this.connection.status(), {
      lastEventAt: this.relay.lastEventAt,
      lastReconcile: this.lastReconcile,
      openCalls: this.tracker.openCalls,
    });
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
        // A notice naming a Controlled-Session-UUID is about one channel of an outbound-socket session
        // (linger, hangup), not about this inbound connection.
        if (frame.headers['Controlled-Session-UUID']) return;
        // FreeSWITCH is going away (shutdown, restart): its calls go with it; a reconnect reconciles.
        this.endAll(
          `FreeSWITCH disconnected the event socket (${frame.body.trim().split('\n')[0] || 'shutdown'})`,
        );
        this.session?.fail(
          'closed',
          `FreeSWITCH closed the session (${type}): ${frame.body.trim().slice(0, 120)}`,
        );
        return;
      case 'text/rude-rejection':
        this.session?.fail(
          'auth',
          `FreeSWITCH refused the connection (${type}): ${frame.body.trim().slice(0, 120)}`,
        );
        return;
      default:
        return;
    }
  }

  private onReply(text: string): void {
    const what = this.pending.shift();
    if (this.pending.length === 0) this.session?.answered();
    if (what === 'auth') {
      if (!text.startsWith('+OK')) {
        const detail = `authentication refused: ${text.trim().slice(0, 120)}`;
        this.logger.error({ host: this.options.host }, detail);
        this.session?.fail('auth', detail);
        return;
      }
      this.command(this.subscription(), 'subscribe');
      return;
    }
    if (what === 'subscribe') {
      if (!text.startsWith('+OK')) {
        this.session?.fail('protocol', `event subscription refused: ${text.trim().slice(0, 120)}`);
        return;
      }
      this.onSession();
      return;
    }
    if (typeof what === 'object') this.onLiveCalls(what.reconcile, text);
  }

  private subscription(): string {
    const events: string[] = [...SUBSCRIBED_EVENTS, 'SHUTDOWN'];
    if (this.options.recordingEvents) events.push(...RECORDING_EVENTS);
    if (this.options.callcenterEvents) events.push('CUSTOM', CALLCENTER_SUBCLASS);
    return `event ${this.options.format} ${events.join(' ')}`;
  }

  private onSession(): void {
    const session = this.session;
    if (!session) return;
    session.ready();
    session.every(this.options.pingIntervalSeconds * 1000, () => {
      if (!this.pending.includes('ping')) this.command('api version', 'ping');
    });
    if (this.options.reconcileIntervalSeconds > 0) {
      session.every(this.options.reconcileIntervalSeconds * 1000, () => this.reconcile('periodic'));
    }
    this.reconcile('connect');
  }

  private reconcile(trigger: ReconcileTrigger): void {
    if (!this.session || this.pending.some((p) => typeof p === 'object')) return;
    this.tracker.beginReconcile();
    this.command(LIVE_CALLS_COMMAND, { reconcile: trigger });
  }

  private onLiveCalls(trigger: ReconcileTrigger, body: string): void {
    const rows = parseLiveCalls(body);
    if (typeof rows === 'string') {
      this.tracker.abortReconcile();
      this.relay.problem(`${LIVE_CALLS_COMMAND}: ${rows}`, body.slice(0, 200));
      return;
    }
    const at = this.clock.now();
    const result = this.tracker.reconcile(rows, at);
    this.lastReconcile = { at, trigger, live: result.live, ended: result.ended, started: result.started };
    if (result.ended + result.started > 0) {
      this.logger.info(
        { trigger, ended: result.ended, started: result.started },
        'event socket reconciliation fixed calls',
      );
    }
    for (const call of result.events) this.relay.emit(call);
  }

  private endAll(reason: string): void {
    const at = this.clock.now();
    const events = this.tracker.endAll(at, reason);
    this.lastReconcile = { at, trigger: 'shutdown', live: 0, ended: events.length, started: 0 };
    if (events.length > 0) this.logger.warn({ ended: events.length }, reason);
    for (const call of events) this.relay.emit(call);
  }

  private onEvent(type: string, body: string): void {
    const event = decodeEvent(type, body);
    if (typeof event === 'string') {
      this.relay.problem(event, body.slice(0, 200));
      return;
    }
    if (!event['Event-Name']) {
      this.relay.problem('FreeSWITCH event without Event-Name', body.slice(0, 200));
      return;
    }
    if (event['Event-Name'] === 'SHUTDOWN') {
      this.endAll('FreeSWITCH shut down');
      return;
    }
    if (!CallTracker.wants(event)) return;
    const result = this.tracker.track(event);
    if (result.problem) this.relay.problem(result.problem.message, result.problem.input);
    for (const call of result.events) this.relay.emit(call);
  }

  private command(text: string, what: Pending): void {
    this.pending.push(what);
    this.session?.write(`${text.replace(/[\r\n]/g, ' ')}\n\n`);
    this.session?.expectAnswer(
      this.options.pingTimeoutSeconds * 1000,
      what === 'ping'
        ? 'no reply to keep-alive'
        : `no reply to ${typeof what === 'object' ? 'show calls' : what}`,
    );
  }
}

/** `show calls as json` answers `{"row_count":N,"rows":[...]}` (no `rows` when N is 0). */
export function parseLiveCalls(body: string): LiveCallRow[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body.startsWith('-ERR') ? body.trim().slice(0, 120) : 'the answer is not JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'the answer is not a JSON object';
  const rows = (parsed as { rows?: unknown }).rows;
  if (rows === undefined) return [];
  if (!Array.isArray(rows)) return '`rows` is not an array';
  return rows.filter((row): row is LiveCallRow => typeof row === 'object' && row !== null);
}
