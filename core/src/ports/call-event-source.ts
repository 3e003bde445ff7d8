import type { CallEvent } from '../domain/call-event.js';

export interface CallEventSourceCapabilities {
  /** The source receives events over HTTP: the host mounts `handleHttp` under `/hooks/<instance id>`. */
  http: boolean;
  /** The source keeps a connection to the PBX and reconnects on its own. */
  persistentConnection: boolean;
}

/** A problem with the input the source received: reported, then skipped; the source keeps running. */
export interface SourceProblem {
  message: string;
  /** What was received, shortened; never contains credentials. */
  input?: string;
}

export interface CallEventSink {
  event(event: CallEvent): void;
  problem(problem: SourceProblem): void;
}

export type SourceState = 'starting' | 'connected' | 'disconnected' | 'stopped';

export interface SourceHealth {
  state: SourceState;
  detail?: string;
  lastEventAt?: Date;
  reconnects: number;
}

/** A PBX connector: turns what a phone system says into normalized call events. */
export interface CallEventSource {
  readonly capabilities: CallEventSourceCapabilities;
  /** Begins delivering events to `sink`. Resolves once the source runs; it connects and reconnects on its own. */
  start(sink: CallEventSink): Promise<void>;
  /** Stops delivering, closes connections. Idempotent. */
  stop(): Promise<void>;
  health(): SourceHealth;
  /** For sources with the `http` capability: a fetch-style handler the host mounts. */
  handleHttp?(request: Request): Promise<Response>;
}
