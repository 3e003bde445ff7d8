import {
  type CallEvent,
  CallEventSchema,
  type Clock,
  type Logger,
  type PluginRegistry,
  TOKENS,
} from '@deskrec/core';
import type { HostConfig } from '../config/schema.js';
import type { CallLegsRepo } from '../db/repos/call-legs.js';
import type { CallsRepo } from '../db/repos/calls.js';
import type { TenantsRepo } from '../db/repos/tenants.js';
import { inject, injectable } from '../di.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import { HOST_TOKENS } from '../tokens.js';

/**
 * Ends calls that no source has confirmed for `calls.unconfirmedAfterSeconds`, so a lost hang-up or a source
 * bug cannot keep an agent's screen recorded until the maximum duration. A call is confirmed by every event
 * for it and, for sources that reconcile with the PBX, by every reconcile that kept it open.
 */
@injectable()
export class UnconfirmedCalls {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private readonly afterMs: number;

  constructor(
    @inject(HOST_TOKENS.Config) config: HostConfig,
    @inject(TOKENS.PluginRegistry) private readonly registry: PluginRegistry,
    @inject(HOST_TOKENS.TenantsRepo) private readonly tenants: TenantsRepo,
    @inject(HOST_TOKENS.CallLegsRepo) private readonly legs: CallLegsRepo,
    @inject(HOST_TOKENS.CallsRepo) private readonly calls: CallsRepo,
    @inject(HOST_TOKENS.Orchestrator) private readonly orchestrator: Orchestrator,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {
    this.afterMs = config.calls.unconfirmedAfterSeconds * 1000;
  }

  start(): void {
    if (!this.afterMs || this.timer) return;
    // A quarter of the limit (5 s to 60 s): a call ends at most that much later than the limit says.
    const every = Math.min(60_000, Math.max(5_000, Math.floor(this.afterMs / 4)));
    this.timer = setInterval(() => void this.sweep(), every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  /** An event from `sourceId` about a call confirms that call's legs (all of them: a start names one agent). */
  async confirmed(tenantId: string, sourceId: string, event: CallEvent): Promise<void> {
    if (event.type === 'call.ended') return;
    await this.legs.confirm(tenantId, sourceId, event.callId, event.agent, this.clock.now());
  }

  /**
   * One pass over every tenant's open calls. Passes run one after another, and a call made while one runs
   * gets a pass of its own afterwards: it reads the clock when it starts, not when the running one did.
   */
  sweep(): Promise<void> {
    const next = (this.sweeping ?? Promise.resolve()).then(() =>
      this.pass().catch((error: Error) =>
        this.logger.error({ err: error.message }, 'unconfirmed-call check failed'),
      ),
    );
    this.sweeping = next;
    void next.then(() => {
      if (this.sweeping === next) this.sweeping = undefined;
    });
    return next;
  }

  private async pass(): Promise<void> {
    if (!this.afterMs) return;
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.afterMs);
    for (const tenant of await this.tenants.list()) {
      for (const { id: sourceId, instance } of this.registry.list('call-events')) {
        const stale = await this.legs.unconfirmed(tenant.id, sourceId, before);
        if (!stale.length) continue;
        const health = instance.health();
        const reconcile = health.details?.lastReconcile;
        // A reconcile after the cutoff that left these calls open says the PBX still has them.
        if (
          instance.capabilities.reconcile &&
          health.state === 'connected' &&
          reconcile &&
          reconcile.trigger !== 'shutdown' &&
          reconcile.at >= before
        ) {
          for (const leg of stale) {
            await this.legs.confirm(
              tenant.id,
              sourceId,
              leg.external_call_id,
              { by: leg.agent_by, value: leg.agent_value },
              reconcile.at,
            );
          }
          continue;
        }
        for (const leg of stale) {
          const reason = `unconfirmed: no source confirmed the call for ${this.afterMs / 1000} s`;
          await this.orchestrator.handleCallEvent(
            tenant.id,
            sourceId,
            CallEventSchema.parse({
              type: 'call.ended',
              callId: leg.external_call_id,
              at: now,
              agent: { by: leg.agent_by, value: leg.agent_value },
              reason: 'unconfirmed',
            }),
          );
          await this.calls.noteEndReason(tenant.id, leg.call_id, reason);
          this.logger.warn(
            {
              tenantId: tenant.id,
              callSource: sourceId,
              callId: leg.external_call_id,
              agent: `${leg.agent_by}:${leg.agent_value}`,
            },
            `call ended by the host: ${reason} (is the source connected and does it report hang-ups?)`,
          );
        }
      }
    }
  }
}
