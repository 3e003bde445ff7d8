import { StringDecoder } from 'node:string_decoder';
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
import { type AmiMessage, AmiParser, amiAction } from './ami-parser.js';
import { type AmiTracker, CallTracker, type LiveChannel, USED_EVENTS } from './call-tracker.js';
import { amiVersion, isLegacyVersion, legacyWarning } from './legacy.js';
import { LEGACY_EVENTS, LegacyCallTracker } from './legacy-tracker.js';
import type { AsteriskOptions } from './options.js';

export const ASTERISK_CAPABILITIES: CallEventSourceCapabilities = Object.freeze({
  http: false,
  persistentConnection: true,
  reconcile: true,
});

/** Events the source itself reads (PBX lifecycle, live-channel lists), besides the tracker's. */
const SESSION_EVENTS = ['FullyBooted', 'Shutdown', 'CoreShowChannel', 'CoreShowChannelsComplete'] as const;

export interface AmiSourceDeps {
  logger?: Logger;
  clock?: Clock;
}

interface Listing {
  id: string;
  trigger: ReconcileTrigger;
  rows: LiveChannel[];
}

/**
 * A call-event source fed by the Asterisk Manager Interface. Core's ReconnectingConnection keeps the TCP
 * session; this class logs in, pings, and reconciles with `CoreShowChannels` on every session, on
 * `FullyBooted` and every `reconcileIntervalSeconds`; `Shutdown` ends the open calls.
 */
export class AmiSource implements CallEventSource {
  readonly capabilities = ASTERISK_CAPABILITIES;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly parser: AmiParser;
  private readonly relay: EventRelay;
  private tracker: AmiTracker;
  private legacy = false;
  private readonly connection: ReconnectingConnection;
  private decoder = new StringDecoder('utf8');
  private session: ConnectionSession | undefined;
  private actionSeq = 0;
  private loginId: string | undefined;
  private pendingPing: string | undefined;
  private listing: Listing | undefined;
  private lastReconcile: ReconcileReport | undefined;
  private warning: string | undefined;

  constructor(
    private readonly options: AsteriskOptions,
    deps: AmiSourceDeps = {},
  ) {
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    this.relay = new EventRelay(this.logger, this.clock);
    this.tracker = new CallTracker(options, () => this.clock.now());
    this.parser = new AmiParser({
      banner: (line) => this.onBanner(line),
      message: (message) => this.onMessage(message),
      problem: (message, input) => this.relay.problem(message, input),
    });
    this.connection = new ReconnectingConnection({
      name: 'AMI',
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
          this.decoder = new StringDecoder('utf8');
        },
        data: (chunk) => this.parser.push(this.decoder.write(chunk)),
        closed: () => {
          this.session = undefined;
          this.loginId = undefined;
          this.pendingPing = undefined;
          this.listing = undefined;
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
      ...(this.warning ? { warnings: [this.warning] } : {}),
    });
  }

  private onBanner(line: string): void {
    this.logger.debug({ banner: line }, 'AMI banner');
    const version = amiVersion(line);
    if (isLegacyVersion(version)) this.useLegacy(version);
    this.loginId = this.nextActionId();
    this.send({
      Action: 'Login',
      ActionID: this.loginId,
      Username: this.options.username,
      Secret: this.options.secret,
      Events: this.options.eventMask,
    });
  }

  private onMessage(message: AmiMessage): void {
    const listing = this.listing;
    if (listing && message.actionid === listing.id) {
      this.onListing(listing, message);
      return;
    }
    if (message.response !== undefined) {
      this.onResponse(message);
      return;
    }
    const event = message.event?.toLowerCase();
    if (event === 'fullybooted') {
      this.reconcile('pbx-booted');
      return;
    }
    if (event === 'shutdown') {
      this.onShutdown(message);
      return;
    }
    if (!this.legacy && (event === 'bridge' || event === 'link' || (event === 'dial' && message.subevent))) {
      // An AMI 1.x server behind a proxy may send another banner; its events tell the truth.
      this.useLegacy(undefined, message.event);
    }
    if (!this.tracker.wants(message)) return;
    const result = this.tracker.track(message);
    if (result.problem) this.relay.problem(result.problem.message, result.problem.input);
    for (const call of result.events) this.relay.emit(call);
  }

  private onResponse(message: AmiMessage): void {
    const id = message.actionid;
    if (id !== undefined && id === this.loginId) {
      this.loginId = undefined;
      if (message.response?.toLowerCase() !== 'success') {
        const detail = `login refused: ${message.message ?? message.response}`;
        this.logger.error({ username: this.options.username }, detail);
        this.session?.fail('auth', detail);
        return;
      }
      this.onSession();
      return;
    }
    if (id !== undefined && id === this.pendingPing) {
      this.pendingPing = undefined;
      this.session?.answered();
    }
  }

  private onSession(): void {
    const session = this.session;
    if (!session) return;
    session.ready();
    if (this.options.serverFilter) {
      this.send({
        Action: 'Filter',
        ActionID: this.nextActionId(),
        Operation: 'Add',
        Filter: `Event: (${[...(this.legacy ? LEGACY_EVENTS : USED_EVENTS), ...SESSION_EVENTS].join('|')})`,
      });
    }
    session.every(this.options.pingIntervalSeconds * 1000, () => this.ping());
    if (this.options.reconcileIntervalSeconds > 0) {
      session.every(this.options.reconcileIntervalSeconds * 1000, () => this.reconcile('periodic'));
    }
    this.reconcile('connect');
  }

  /** Asks for the live channels; one list at a time (FullyBooted right after login shares the first). */
  private reconcile(trigger: ReconcileTrigger): void {
    if (this.listing || !this.session || this.loginId) return;
    const id = this.nextActionId();
    this.listing = { id, trigger, rows: [] };
    this.tracker.beginReconcile();
    this.send({ Action: 'CoreShowChannels', ActionID: id });
  }

  private onListing(listing: Listing, message: AmiMessage): void {
    if (message.response !== undefined) {
      if (message.response.toLowerCase() !== 'success') {
        this.listing = undefined;
        this.tracker.abortReconcile();
        this.relay.problem(
          `CoreShowChannels refused: ${message.message ?? message.response} (the AMI user needs write = system or reporting)`,
        );
      }
      return;
    }
    const event = message.event?.toLowerCase();
    if (event === 'coreshowchannel') listing.rows.push(message);
    else if (event === 'coreshowchannelscomplete') {
      this.listing = undefined;
      const at = this.clock.now();
      const result = this.tracker.reconcile(listing.rows, at);
      this.lastReconcile = {
        at,
        trigger: listing.trigger,
        live: listing.rows.length,
        ended: result.ended,
        started: result.started,
      };
      if (result.ended + result.started > 0) {
        this.logger.info(
          { trigger: listing.trigger, ended: result.ended, started: result.started },
          'AMI reconciliation fixed calls',
        );
      }
      for (const call of result.events) this.relay.emit(call);
    }
  }

  private onShutdown(message: AmiMessage): void {
    const how = [message.shutdown, message.restart === 'True' ? 'restarting' : undefined]
      .filter(Boolean)
      .join(', ');
    const reason = `Asterisk shut down${how ? ` (${how})` : ''}`;
    const at = this.clock.now();
    const events = this.tracker.endAll(at, reason);
    this.lastReconcile = { at, trigger: 'shutdown', live: 0, ended: events.length, started: 0 };
    this.logger.warn({ ended: events.length }, reason);
    for (const call of events) this.relay.emit(call);
  }

  private ping(): void {
    if (this.pendingPing || !this.session) return;
    this.pendingPing = this.nextActionId();
    this.send({ Action: 'Ping', ActionID: this.pendingPing });
    this.session.expectAnswer(this.options.pingTimeoutSeconds * 1000, 'no answer to Ping');
  }

  /** AMI 1.x: the legacy tracker with `legacyMode`, otherwise a warning in health and the log. */
  private useLegacy(version: string | undefined, evidence?: string): void {
    if (this.legacy) return;
    this.legacy = true;
    if (this.options.legacyMode) {
      this.tracker = new LegacyCallTracker(this.options, () => this.clock.now());
      this.logger.info(
        { host: this.options.host, version },
        'AMI 1.x: legacy mode maps Dial, Bridge and Rename',
      );
      return;
    }
    this.warning = legacyWarning(version, evidence);
    this.logger.warn({ host: this.options.host }, this.warning);
  }

  private send(fields: Record<string, string>): void {
    this.session?.write(amiAction(fields));
  }

  private nextActionId(): string {
    return `deskrec-${++this.actionSeq}`;
  }
}
