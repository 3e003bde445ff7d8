import {
  CallEventSchema,
  type CallEventSource,
  formatIssues,
  type Logger,
  type PluginRegistry,
  TOKENS,
} from '@deskrec/core';
import type { TenantsRepo } from '../db/repos/tenants.js';
import { inject, injectable } from '../di.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { HOST_TOKENS } from '../tokens.js';

export interface CallIntakeOptions {
  registry: PluginRegistry;
  orchestrator: Orchestrator;
  tenants: TenantsRepo;
  /** Tenant for events that name none (single-tenant sources). */
  defaultTenantId: string;
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
  ) {
    this.o = { registry, orchestrator, tenants, defaultTenantId, logger };
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
          void this.tenantOf(parsed.data.tenant)
            .then((tenantId) => {
              if (!tenantId) {
                logger.warn(
                  { tenant: parsed.data.tenant, callId: parsed.data.callId },
                  'event names an unknown tenant; skipped',
                );
                return;
              }
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

  private async tenantOf(slug: string | undefined): Promise<string | undefined> {
    if (!slug) return this.o.defaultTenantId;
    return (await this.o.tenants.bySlug(slug))?.id;
  }

  /** The source that serves HTTP at `/hooks/<id>`, if any. */
  httpSource(id: string): CallEventSource | undefined {
    const found = this.sources.find((s) => s.id === id)?.source;
    return found?.capabilities.http && found.handleHttp ? found : undefined;
  }

  health() {
    return this.sources.map(({ id, source }) => ({ id, ...source.health() }));
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.sources.map(({ source }) => source.stop().catch(() => undefined)));
  }
}
