import type { ReconcileReport, SourceHealth } from '../ports/call-event-source.js';
import type { ConnectionStatus } from './reconnecting-connection.js';

export interface ConnectorHealthFacts {
  lastEventAt?: Date | undefined;
  lastReconcile?: ReconcileReport | undefined;
  openCalls?: number;
  warnings?: readonly string[];
}

/** A connector's SourceHealth: the connection's state plus the details the host shows to admins. */
export function connectorHealth(status: ConnectionStatus, facts: ConnectorHealthFacts = {}): SourceHealth {
  const warnings = facts.warnings?.length ? [...facts.warnings] : undefined;
  // A warning outranks "connected" in the one-line detail: the source runs but misses calls.
  const detail = status.detail ?? (status.state === 'connected' ? warnings?.[0] : undefined);
  return {
    state: status.state,
    ...(detail ? { detail } : {}),
    ...(facts.lastEventAt ? { lastEventAt: facts.lastEventAt } : {}),
    reconnects: status.reconnects,
    details: {
      connected: status.state === 'connected',
      ...(status.connectedSince ? { connectedSince: status.connectedSince } : {}),
      ...(facts.lastEventAt ? { lastEventAt: facts.lastEventAt } : {}),
      reconnects: status.reconnects,
      ...(status.lastFailure ? { lastFailure: status.lastFailure } : {}),
      ...(facts.lastReconcile ? { lastReconcile: facts.lastReconcile } : {}),
      ...(facts.openCalls !== undefined ? { openCalls: facts.openCalls } : {}),
      ...(warnings ? { warnings } : {}),
    },
  };
}
