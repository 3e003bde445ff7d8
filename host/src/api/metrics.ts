import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { injectable } from '../di.js';

/** Connected agents per authorization state, read when scraped. */
export type ConnectedAgentsProvider = () => Partial<Record<'pending' | 'authorized' | 'forbidden', number>>;

/**
 * One registry per host, served at GET /metrics (one per container, so two hosts in one process keep their
 * figures apart). The controller registers its own metrics here (its ControllerMetrics: messages, errors,
 * connections) and the connected-agents provider below; the API counts its requests.
 */
@injectable()
export class HostMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'status'>;
  private connectedAgents: ConnectedAgentsProvider | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'deskrec_host_' });
    this.httpRequests = new Counter({
      name: 'deskrec_http_requests_total',
      help: 'Admin API requests, by method and status class',
      labelNames: ['method', 'status'] as const,
      registers: [this.registry],
    });
    const metrics = this;
    new Gauge({
      name: 'deskrec_connected_agents',
      help: 'Agents connected to this host, by authorization state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        const counts = metrics.connectedAgents?.() ?? {};
        for (const state of ['pending', 'authorized', 'forbidden'] as const)
          this.set({ state }, counts[state] ?? 0);
      },
    });
  }

  /** The controller's counts, once it listens; returns a function that unregisters it (on stop). */
  setConnectedAgents(provider: ConnectedAgentsProvider): () => void {
    this.connectedAgents = provider;
    return () => {
      if (this.connectedAgents === provider) this.connectedAgents = undefined;
    };
  }
}
