import {
  CallEventSchema,
  type CallEventSink,
  type CallEventSource,
  formatIssues,
  type Logger,
  type PluginRegistry,
  type SourceHealth,
  TOKENS,
} from '@deskrec/core';
import { SourceLock } from '../cluster/source-lock.js';
import type { HostConfig } from '../config/schema.js';
import type { DatabaseHandle } from '../db/open-database.js';
import type { HostsRepo } from '../db/repos/hosts.js';
import type { TenantsRepo } from '../db/repos/tenants.js';
import { inject, injectable } from '../di.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { HOST_TOKENS } from '../tokens.js';
import type { UnconfirmedCalls } from './unconfirmed-calls.js';

export type CallSourceHealth = SourceHealth & {
  id: string;
  shared?: boolean;
  tenantSlug?: string;
  tenantId?: string;
  /** Whether this host runs the source (a source that connects out runs on one host of a cluster). */
  runsHere: boolean;
  /** The host that runs it instead, when another does and it can be told. */
  heldBy?: { id: string; name?: string };
};

export interface CallIntakeOptions {
  registry: PluginRegistry;
  orchestrator: Orchestrator;
  tenants: TenantsRepo;
  /** Tenant for events that name none (single-tenant sources). */
  defaultTenantId: string;
  /** Source id → the tenant slug it is bound to, or `*` for a source shared by tenants; absent: the default. */
  bindings?: ReadonlyMap<string, string>;
  logger: Logger;
}

/**
 * Starts every configured call-event source with a sink that re-validates each event (a third-party
 * plugin may be wrong), resolves its tenant and hands it to the orchestrator. A bad event is logged and
 * skipped; it never stops the source or the host. A source that connects out (`persistentConnection`) runs only
 * while this host holds its cluster lock (see SourceLock); sources that only receive run on every host.
 */
@injectable()
export class CallIntake {
  private readonly sources: {
    id: string;
    source: CallEventSource;
    runsHere: boolean;
    heldBy?: { id: string; name?: string };
    lock?: SourceLock;
  }[] = [];
  private readonly o: CallIntakeOptions;
  private readonly retryMs: number;
  /** Whether every source was started (webhooks answer "starting" before). */
  started = false;

  constructor(
    @inject(TOKENS.PluginRegistry) registry: PluginRegistry,
    @inject(HOST_TOKENS.Orchestrator) orchestrator: Orchestrator,
    @inject(HOST_TOKENS.TenantsRepo) tenants: TenantsRepo,
    @inject(HOST_TOKENS.DefaultTenantId) defaultTenantId: string,
    @inject(TOKENS.Logger) logger: Logger,
    @inject(HOST_TOKENS.Config) config: HostConfig,
    @inject(HOST_TOKENS.UnconfirmedCalls) private readonly unconfirmed: UnconfirmedCalls,
    @inject(HOST_TOKENS.HostId) private readonly hostId: string,
    @inject(HOST_TOKENS.DatabaseHandle) private readonly database: DatabaseHandle,
    @inject(HOST_TOKENS.HostsRepo) private readonly hosts: HostsRepo,
  ) {
    this.retryMs = config.cluster.sourceRetrySeconds * 1000;
    const bindings = new Map(
      config.plugins.callEvents.flatMap((entry) => (entry.tenant ? [[entry.id, entry.tenant] as const] : [])),
    );
    this.o = { registry, orchestrator, tenants, defaultTenantId, bindings, logger };
  }

  async start(): Promise<void> {
    for (const { id, instance } of this.o.registry.list('call-events')) {
      const logger = this.o.logger.child({ callSource: id });
      const entry: (typeof this.sources)[number] = { id, source: instance, runsHere: false };
      this.sources.push(entry);
      if (!instance.capabilities.persistentConnection) {
        await instance.start(this.sink(id, logger));
        entry.runsHere = true;
        logger.info({}, 'call-event source started');
        continue;
      }
      entry.lock = new SourceLock({
        sourceId: id,
        hostId: this.hostId,
        openSession: (name) => this.database.openSession(name),
        retryMs: this.retryMs,
        logger,
        acquired: async () => {
          await instance.start(this.sink(id, logger));
          entry.runsHere = true;
          delete entry.heldBy;
          logger.info({}, 'call-event source started');
        },
        lost: async () => {
          entry.runsHere = false;
          await instance.stop().catch(() => undefined);
          logger.info({}, 'call-event source stopped');
        },
        standby: async (holder) => {
          if (!holder) return void delete entry.heldBy;
          const name =
            entry.heldBy?.id === holder ? entry.heldBy.name : (await this.hosts.byId(holder))?.name;
          entry.heldBy = { id: holder, ...(name ? { name } : {}) };
        },
      });
      await entry.lock.start();
    }
    this.started = true;
  }

  /** Re-validates each event of source `id`, resolves its tenant and hands it to the orchestrator. */
  private sink(id: string, logger: Logger): CallEventSink {
    return {
      event: (raw) => {
        const parsed = CallEventSchema.safeParse(raw);
        if (!parsed.success) {
          logger.warn(
            { problem: formatIssues(parsed.error) },
            'call-event source emitted an invalid event; skipped',
          );
          return;
        }
        void this.tenantOf(id, parsed.data.tenant)
          .then((tenant) => {
            if ('refused' in tenant) {
              logger.warn({ tenant: parsed.data.tenant, callId: parsed.data.callId }, tenant.refused);
              return;
            }
            const { tenantId } = tenant;
            void this.unconfirmed
              .confirmed(tenantId, id, parsed.data)
              .catch((error: Error) => logger.warn({ err: error.message }, 'call confirmation not recorded'));
            return this.o.orchestrator.handleCallEvent(tenantId, id, parsed.data);
          })
          .catch((error: Error) =>
            logger.error(
              { err: error.message, callId: parsed.data.callId },
              'call event could not be applied',
            ),
          );
      },
      problem: (problem) =>
        logger.warn({ input: problem.input }, `call-event source reported a problem: ${problem.message}`),
    };
  }

  /** The tenant an event of source `id` lands in; a source bound to one tenant never reaches another. */
  private async tenantOf(
    id: string,
    slug: string | undefined,
  ): Promise<{ tenantId: string } | { refused: string }> {
    const bound = this.o.bindings?.get(id);
    if (bound === '*') {
      if (!slug) return { refused: 'event of a source shared by tenants names no tenant; skipped' };
      const tenant = await this.o.tenants.bySlug(slug);
      return tenant ? { tenantId: tenant.id } : { refused: 'event names an unknown tenant; skipped' };
    }
    if (!bound) {
      if (!slug) return { tenantId: this.o.defaultTenantId };
      const tenant = await this.o.tenants.bySlug(slug);
      return tenant?.id === this.o.defaultTenantId
        ? { tenantId: tenant.id }
        : { refused: `event names tenant "${slug}", but this source belongs to the default tenant; skipped` };
    }
    if (slug && slug !== bound) {
      return {
        refused: `event names tenant "${slug}", but this source belongs to tenant "${bound}"; skipped`,
      };
    }
    const tenant = await this.o.tenants.bySlug(bound);
    return tenant
      ? { tenantId: tenant.id }
      : { refused: `this source belongs to tenant "${bound}", which does not exist; skipped` };
  }

  /** The source that serves HTTP at `/hooks/<id>`, if any. */
  httpSource(id: string): CallEventSource | undefined {
    const found = this.sources.find((s) => s.id === id && s.runsHere)?.source;
    return found?.capabilities.http && found.handleHttp ? found : undefined;
  }

  /** Each source's health, with the tenant it belongs to (`tenantSlug`, `shared`, or the default tenant). */
  health(): CallSourceHealth[] {
    return this.sources.map(({ id, source, runsHere, heldBy }) => {
      const bound = this.o.bindings?.get(id);
      return {
        id,
        ...(bound === '*'
          ? { shared: true }
          : bound
            ? { tenantSlug: bound }
            : { tenantId: this.o.defaultTenantId }),
        ...source.health(),
        runsHere,
        ...(heldBy ? { heldBy } : {}),
      };
    });
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(
      this.sources.map(({ source, lock }) => (lock ? lock.stop() : source.stop()).catch(() => undefined)),
    );
  }
}
