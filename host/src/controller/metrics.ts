import { Counter, Gauge, type Registry } from 'prom-client';

const NAMES = {
  agents: 'deskrec_controller_agents',
  connections: 'deskrec_controller_connections_total',
  messages: 'deskrec_controller_messages_total',
  errors: 'deskrec_controller_errors_total',
} as const;

export type AgentCountState = 'awaiting-hello' | 'pending' | 'authorized' | 'forbidden';

/**
 * The controller's Prometheus metrics. Created unregistered: start() registers them, stop() removes them, so a
 * shared registry can take a restarted controller. `agents` is computed from the live connections at scrape.
 */
export class ControllerMetrics {
  readonly agents: Gauge<'state'>;
  readonly connections: Counter<'listener'>;
  readonly messages: Counter<'direction' | 'type'>;
  readonly errors: Counter<'code'>;
  private registry: Registry | undefined;

  constructor(countAgents: () => Record<AgentCountState, number>) {
    this.agents = new Gauge({
      name: NAMES.agents,
      help: 'Connected agents by authorization state',
      labelNames: ['state'],
      registers: [],
      collect() {
        for (const [state, count] of Object.entries(countAgents())) this.set({ state }, count);
      },
    });
    this.connections = new Counter({
      name: NAMES.connections,
      help: 'WebSocket connections accepted, by listener',
      labelNames: ['listener'],
      registers: [],
    });
    this.messages = new Counter({
      name: NAMES.messages,
      help: 'Controller messages by direction (in: from agents, out: to agents) and type',
      labelNames: ['direction', 'type'],
      registers: [],
    });
    this.errors = new Counter({
      name: NAMES.errors,
      help: 'Controller errors by code: decode failures, rejections, slow agents, heartbeat timeouts, TLS',
      labelNames: ['code'],
      registers: [],
    });
  }

  register(registry: Registry): void {
    registry.registerMetric(this.agents);
    registry.registerMetric(this.connections);
    registry.registerMetric(this.messages);
    registry.registerMetric(this.errors);
    this.registry = registry;
  }

  unregister(): void {
    for (const name of Object.values(NAMES)) this.registry?.removeSingleMetric(name);
    this.registry = undefined;
  }
}
