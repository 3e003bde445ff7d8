import fs from 'node:fs/promises';
import { isStorageError, type Logger, TOKENS } from '@deskrec/core';
import type { HostConfig } from '../config/schema.js';
import type { AuditRepo } from '../db/repos/audit.js';
import type { TenantsRepo } from '../db/repos/tenants.js';
import type { Job } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import type { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';

export const DELETE_TENANT_JOB = 'tenant-delete';

export interface DeleteTenantPayload {
  tenantId: string;
  slug: string;
  actorUserId: string;
}

/**
 * Finishes a tenant's deletion after the API marked it `deleting`, per `tenants.deletion`: archive keeps its
 * rows and recordings and shuts it out; delete removes its stored objects, then its rows. The job lives in
 * the provider's tenant (its row must outlive the deleted tenant's), and is retried until it finishes, so a
 * storage target that is down delays the deletion instead of leaving objects behind.
 */
@injectable()
export class DeleteTenantJob {
  private readonly policy: HostConfig['tenants']['deletion'];

  constructor(
    @inject(HOST_TOKENS.TenantsRepo) private readonly tenants: TenantsRepo,
    @inject(HOST_TOKENS.AuditRepo) private readonly audit: AuditRepo,
    @inject(HOST_TOKENS.TargetResolver) private readonly targets: TargetResolver,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(HOST_TOKENS.Config) config: Pick<HostConfig, 'tenants'>,
  ) {
    this.policy = config.tenants.deletion;
  }

  readonly handle = async (job: Job): Promise<void> => {
    const payload = job.payload as unknown as DeleteTenantPayload;
    const tenant = await this.tenants.get(payload.tenantId);
    let objects = 0;
    if (tenant && tenant.state === 'deleting') {
      if (this.policy === 'archive') {
        await this.tenants.archive(tenant.id);
      } else {
        objects = await this.removeObjects(tenant.id);
        await this.tenants.remove(tenant.id);
      }
    }
    await this.audit.record(job.tenant_id, {
      actorUserId: payload.actorUserId,
      action: this.policy === 'archive' ? 'tenant.archived' : 'tenant.deleted',
      targetType: 'tenant',
      targetId: payload.tenantId,
      detail: { slug: payload.slug, ...(this.policy === 'delete' ? { storedObjectsRemoved: objects } : {}) },
      ip: null,
    });
    this.logger.info(
      { tenantId: payload.tenantId, slug: payload.slug, policy: this.policy, objects },
      'tenant deletion finished',
    );
  };

  /** Deletes every stored object and spooled file of the tenant; a missing one counts as gone. */
  private async removeObjects(tenantId: string): Promise<number> {
    let removed = 0;
    for (const object of await this.tenants.storedObjects(tenantId)) {
      if (object.spoolPath) await fs.rm(object.spoolPath, { force: true });
      if (!object.key || !object.targetId) continue;
      const { target } = await this.targets.byId(tenantId, object.targetId);
      await target.delete(object.key).catch((error: unknown) => {
        if (!isStorageError(error, 'not-found')) throw error;
      });
      removed++;
    }
    return removed;
  }
}
