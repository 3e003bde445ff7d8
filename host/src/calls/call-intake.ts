import {
  CallEventSchema,
  type CallEventSource,
  formatIssues,
  type Logger,
  type PluginRegistry,
  type SourceHealth,
  TOKENS,
} from '@deskrec/core';
import type { HostConfig } from '../config/schema.js';
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
 * skipped; it never stops the source or the host.
 */
@injectable()
export class CallIntake {
  private readonly sources: { id: string; source: CallEventSource }[] = [];
  private readonly o: CallIntakeOptions;
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
  ) {
    const bindings = new Map(
      config.plugins.callEvents.flatMap((entry) => (entry.tenant ? [[entry.id, entry.tenant] as const] : [])),
    );
    this.o = { registry, orchestrator, tenants, defaultTenantId, bindings, logger };
  }

  async start(): Promise<void> {
    for (const { id, instance } of this.o.registry.list('call-events')) {
      const logger = this.o.logger.child({ callSource: id });
      await instance.start({
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
                .catch((error: Error) =>
                  logger.warn({ err: error.message }, 'call confirmation not recorded'),
                );
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
      });
      this.sources.push({ id, source: instance });
      logger.info({}, 'call-event source started');
    }
    this.started = true;
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
    const found = this.sources.find((s) => s.id === id)?.source;
    return found?.capabilities.http && found.handleHttp ? found : undefined;
  }

  /** Each source's health, with the tenant it belongs to (`tenantSlug`, `shared`, or the default tenant). */
  health(): CallSourceHealth[] {
    return this.sources.map(({ id, source }) => {
      const bound = this.o.bindings?.get(id);
      return {
        id,
        ...(bound === '*'
          ? { shared: true }
          : bound
            ? { tenantSlug: bound }
            : { tenantId: this.o.defaultTenantId }),
        ...source.health(),
      };
    });
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.sources.map(({ source }) => source.stop().catch(() => undefined)));
  }
}
