import type { CallEvent } from '../domain/call-event.js';

export interface CallEventSourceCapabilities {
  /** The source receives events over HTTP: the host mounts `handleHttp` under `/hooks/<instance id>`. */
  http: boolean;
  /** The source keeps a connection to the PBX and reconnects on its own. */
  persistentConnection: boolean;
  /**
   * The source asks the PBX which calls are live on every (re)connect (and when the PBX restarts), ending the
   * calls the PBX no longer has and starting the ones it missed. The call-events kit then tests exactly that.
   * Absent means false: a source that only listens (a pub/sub feed) cannot ask.
   */
  reconcile?: boolean;
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

/** Why a reconciliation ran. */
export type ReconcileTrigger = 'connect' | 'pbx-booted' | 'periodic' | 'shutdown';

/** What one reconciliation with the PBX's list of live calls found and fixed. */
export interface ReconcileReport {
  at: Date;
  trigger: ReconcileTrigger;
  /** Live channels (or legs) the PBX reported; 0 for a shutdown notice. */
  live: number;
  /** Agents taken off calls the PBX no longer has (`call.ended` emitted). */
  ended: number;
  /** Agents put on calls the source had missed (`call.started` emitted). */
  started: number;
}

/** Network failure classes, shared by all connectors (see `classifyNetworkError`). */
export type NetworkErrorKind =
  | 'refused'
  | 'reset'
  | 'timeout'
  | 'dns'
  | 'tls'
  | 'auth'
  | 'closed'
  | 'protocol'
  | 'other';

/** The richer health a connector with a persistent connection reports; the host shows it to admins. */
export interface SourceHealthDetails {
  connected: boolean;
  /** When the current session was established. */
  connectedSince?: Date;
  lastEventAt?: Date;
  reconnects: number;
  /** The last reason a connection failed or was dropped. */
  lastFailure?: { kind: NetworkErrorKind; detail: string; at: Date };
  lastReconcile?: ReconcileReport;
  /** Agents the source currently holds on a call. */
  openCalls?: number;
  /** Conditions an admin must act on while the source still runs (e.g. an unsupported PBX version). */
  warnings?: string[];
}

export interface SourceHealth {
  state: SourceState;
  detail?: string;
  lastEventAt?: Date;
  reconnects: number;
  /** Optional; sources built on core's connector toolkit fill it. */
  details?: SourceHealthDetails;
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
