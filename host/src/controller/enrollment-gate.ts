import type { WorkstationRecord, WorkstationStore } from '@deskrec/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';

/** Why a new workstation was not enrolled; the controller closes with CLOSE.tooMany and this text. */
export class EnrollmentRefused extends Error {}

export interface EnrollmentLimits {
  /** New workstations one tenant (one token) may enroll per minute. */
  enrollmentsPerMinute: number;
  /** Workstations one tenant may have waiting for authorization at once. */
  maxPendingWorkstations: number;
}

/**
 * Puts the host's enrollment limits in front of whatever auth policy runs: a copied tenant token cannot fill
 * the Pending list (1,000 fake workstations in seconds) nor the database. Known workstations are untouched;
 * only `createPending` is gated.
 */
export class EnrollmentGate {
  private readonly perTenant: RateLimiterMemory;

  constructor(private readonly limits: EnrollmentLimits) {
    this.perTenant = new RateLimiterMemory({ points: limits.enrollmentsPerMinute, duration: 60 });
  }

  guard<S extends WorkstationStore & { countPending(tenantId: string): Promise<number> }>(
    store: S,
  ): WorkstationStore {
    const { limits, perTenant } = this;
    return {
      findTenantByToken: (token) => store.findTenantByToken(token),
      find: (tenantId, workstationId) => store.find(tenantId, workstationId),
      findById: (workstationId) => store.findById(workstationId),
      markConflict: (tenantId, workstationId, remoteAddress) =>
        store.markConflict(tenantId, workstationId, remoteAddress),
      async createPending(record: WorkstationRecord & { computerName: string; domain?: string }) {
        const pending = await store.countPending(record.tenantId);
        if (pending >= limits.maxPendingWorkstations) {
          throw new EnrollmentRefused(
            `${pending} workstations already wait for authorization (limit ${limits.maxPendingWorkstations}); an admin must authorize or delete some first`,
          );
        }
        try {
          await perTenant.consume(record.tenantId);
        } catch {
          throw new EnrollmentRefused(
            `too many new workstations for this tenant token (limit ${limits.enrollmentsPerMinute} a minute); retry later`,
          );
        }
        return store.createPending(record);
      },
    };
  }
}
