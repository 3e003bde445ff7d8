import path from 'node:path';
import type {
  CallEventSink,
  CallEventSource,
  CallEventSourceCapabilities,
  Clock,
  Logger,
  SourceHealth,
} from '@deskrec/core';
import type { SiprecOptions } from './options.js';
import type { BoundPorts } from './sip/transport.js';
import { SiprecServer } from './siprec-server.js';

/** The SRC connects to us: nothing to mount on the host's HTTP server, no connection of ours to keep. */
export const SIPREC_CAPABILITIES: CallEventSourceCapabilities = { http: false, persistentConnection: false };

export interface SiprecDeps {
  clock: Clock;
  logger: Logger;
  /** The plugin's data folder; recordings go to `<dataDir>/recordings` unless `recordingsDir` is set. */
  dataDir: string;
}

/** A SIPREC recording server as a call-event source: each recorded call's agent becomes call events. */
export class SiprecSource implements CallEventSource {
  readonly capabilities = SIPREC_CAPABILITIES;
  private server: SiprecServer | undefined;
  private state: SourceHealth['state'] = 'stopped';
  private lastEventAt: Date | undefined;
  private detail: string | undefined;

  constructor(
    private readonly options: SiprecOptions,
    private readonly deps: SiprecDeps,
  ) {}

  /** The ports SIP is listening on (useful with `port: 0`). */
  get ports(): BoundPorts {
    return this.server?.boundPorts ?? {};
  }

  /** Recording sessions currently open. */
  get activeCalls(): number {
    return this.server?.sessions.size ?? 0;
  }

  /** RTP counters of the calls being recorded now: packets written, late (lost to the jitter buffer), ignored. */
  stats(): { calls: number; packets: number; late: number; ignored: number } {
    return this.server?.stats() ?? { calls: 0, packets: 0, late: 0, ignored: 0 };
  }

  get recordingsDir(): string {
    return this.options.recordingsDir ?? path.join(this.deps.dataDir, 'recordings');
  }

  async start(sink: CallEventSink): Promise<void> {
    if (this.server) return;
    this.state = 'starting';
    const server = new SiprecServer(
      this.options,
      this.recordingsDir,
      {
        event: (event) => {
          this.lastEventAt = this.deps.clock.now();
          sink.event(event);
        },
        problem: (problem) => {
          this.deps.logger.warn(problem.message);
          sink.problem(problem);
        },
      },
      this.deps.clock,
      this.deps.logger,
    );
    try {
      await server.start();
    } catch (error) {
      this.state = 'stopped';
      this.detail = `could not listen: ${(error as Error).message}`;
      throw error;
    }
    this.server = server;
    this.state = 'connected';
    const p = server.boundPorts;
    this.detail = `listening on ${this.options.host}: ${[
      p.udp !== undefined ? `udp ${p.udp}` : '',
      p.tcp !== undefined ? `tcp ${p.tcp}` : '',
      p.tls !== undefined ? `tls ${p.tls}` : '',
    ]
      .filter(Boolean)
      .join(', ')}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.state = 'stopped';
    if (server) await server.stop();
  }

  health(): SourceHealth {
    const calls = this.server ? `; ${this.server.sessions.size} calls recording` : '';
    return {
      state: this.state,
      ...(this.detail ? { detail: `${this.detail}${calls}` } : {}),
      ...(this.lastEventAt ? { lastEventAt: this.lastEventAt } : {}),
      reconnects: 0,
    };
  }
}
