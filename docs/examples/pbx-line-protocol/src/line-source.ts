import { StringDecoder } from 'node:string_decoder';
import {
  type CallEventSink,
  type CallEventSource,
  type CallEventSourceCapabilities,
  type Clock,
  connectorHealth,
  EventRelay,
  LineSplitter,
  type Logger,
  ReconnectingConnection,
  type SourceHealth,
  silentLogger,
  systemClock,
} from '@deskrec/core';
import type { LineProtocolOptions } from './options.js';
import { parseLine } from './parse-line.js';

export const LINE_PROTOCOL_CAPABILITIES: CallEventSourceCapabilities = Object.freeze({
  http: false,
  persistentConnection: true,
});

export interface LineSourceDeps {
  logger?: Logger;
  clock?: Clock;
}

/**
 * Keeps one TCP connection to the phone system, turns each line into a call event, reconnects on its own.
 * Core's connector toolkit does the connection (reconnect with backoff, health), the line cutting and the
 * event validation; this file only knows the protocol. The protocol has no "list live calls" request, so
 * the source cannot reconcile and does not declare `reconcile`.
 */
export class LineProtocolSource implements CallEventSource {
  readonly capabilities = LINE_PROTOCOL_CAPABILITIES;
  private readonly relay: EventRelay;
  private readonly splitter: LineSplitter;
  private readonly connection: ReconnectingConnection;
  private decoder = new StringDecoder('utf8');

  constructor(
    private readonly options: LineProtocolOptions,
    deps: LineSourceDeps = {},
  ) {
    const logger = deps.logger ?? silentLogger;
    const clock = deps.clock ?? systemClock;
    this.relay = new EventRelay(logger, clock);
    this.splitter = new LineSplitter(
      options.maxLineBytes,
      (line) => this.onLine(line),
      (start) => this.relay.problem(`line longer than ${options.maxLineBytes} bytes skipped`, start),
    );
    this.connection = new ReconnectingConnection({
      name: 'phone system',
      host: options.host,
      port: options.port,
      backoff: { minMs: options.reconnectMinSeconds * 1000, maxMs: options.reconnectMaxSeconds * 1000 },
      logger,
      clock,
      hooks: {
        // The protocol has no login: the session is up as soon as the socket is.
        connected: (session) => {
          this.splitter.reset();
          this.decoder = new StringDecoder('utf8');
          session.ready();
        },
        data: (chunk) => this.splitter.push(this.decoder.write(chunk)),
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
    return connectorHealth(this.connection.status(), { lastEventAt: this.relay.lastEventAt });
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    const parsed = parseLine(line, this.options.agentIdentifiedBy);
    if (!parsed.ok) {
      this.relay.problem(parsed.message, line);
      return;
    }
    // The core schema has the last word: lengths and formats the line parser does not know about.
    this.relay.emit(parsed.event);
  }
}
