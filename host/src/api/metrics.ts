import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * One registry for the whole host process, served at GET /metrics. The controller registers its own
 * metrics here (its ControllerMetrics: messages, errors, connections) and may register the
 * connected-agents provider below; the API only reads.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'deskrec_host_' });

export const httpRequests = new Counter({
  name: 'deskrec_http_requests_total',
  help: 'Admin API requests, by method and status class',
  labelNames: ['method', 'status'] as const,
  registers: [metricsRegistry],
});

/** Connected agents per authorization state, read when scraped. */
export type ConnectedAgentsProvider = () => Partial<Record<'pending' | 'authorized' | 'forbidden', number>>;

let connectedAgents: ConnectedAgentsProvider | undefined;

/** The controller calls this once it listens; returns a function that unregisters it (on stop). */
export function registerConnectedAgentsProvider(provider: ConnectedAgentsProvider): () => void {
  connectedAgents = provider;
  return () => {
    if (connectedAgents === provider) connectedAgents = undefined;
  };
}

new Gauge({
  name: 'deskrec_connected_agents',
  help: 'Agents connected to this host, by authorization state',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    const counts = connectedAgents?.() ?? {};
    for (const state of ['pending', 'authorized', 'forbidden'] as const)
      this.set({ state }, counts[state] ?? 0);
  },
});
