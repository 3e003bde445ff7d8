import { Readable } from 'node:stream';
import { isStorageError, type Logger, TOKENS } from '@deskrec/core';
import type { AuditRepo } from '../db/repos/audit.js';
import type { RetentionRepo } from '../db/repos/retention.js';
import type { RetentionPoliciesRepo, RetentionPolicy } from '../db/repos/retention-policies.js';
import type { Job, Segment } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { RetryLater } from '../jobs/job-runner.js';
import { storeNew } from '../jobs/store-new.js';
import type { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';

export const RETENTION_JOB = 'retention-apply';

/**
 * Applies one policy to one recording. Every step can be repeated: deleting a missing object succeeds, a
 * segment already on the new target is skipped, and a moved segment keeps its old location in the database
 * until the old object is gone, so a storage outage or a restart at any point only delays the job.
 */
@injectable()
export class RetentionJob {
  private readonly logger: Logger;

  constructor(
    @inject(HOST_TOKENS.RetentionRepo) private readonly retention: RetentionRepo,
    @inject(HOST_TOKENS.RetentionPoliciesRepo) private readonly policies: RetentionPoliciesRepo,
    @inject(HOST_TOKENS.AuditRepo) private readonly audit: AuditRepo,
    @inject(HOST_TOKENS.TargetResolver) private readonly targets: TargetResolver,
    @inject(TOKENS.Logger) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'retention' });
  }

  readonly handle = async (job: Job): Promise<void> => {
    const tenantId = job.tenant_id;
    const { recordingId, policyId } = job.payload as { recordingId?: string; policyId?: string };
    if (!recordingId || !policyId) throw new RetryLater('retention job without recordingId/policyId', true);
    const recording = await this.retention.recording(tenantId, recordingId);
    if (!recording || recording.purged_at) return;
    const policy = await this.policies.get(tenantId, policyId);
    const calls = await this.retention.calls(tenantId, recordingId);
    // Checked again here: the hold may have been set, or the policy removed, since the sweep.
    if (!policy || calls.held) {
      if (calls.held) this.logger.info({ recordingId, callIds: calls.ids }, 'retention skipped: legal hold');
      await this.retention.finished(tenantId, recordingId);
      return;
    }
    try {
      if (policy.action === 'delete') await this.delete(tenantId, recordingId, policy, calls.ids);
      else await this.move(tenantId, recordingId, policy, calls.ids);
    } catch (error) {
      throw new RetryLater((error as Error).message, isStorageError(error) && !error.retryable);
    }
  };

  private async delete(tenantId: string, recordingId: string, policy: RetentionPolicy, callIds: string[]) {
    const objects: { targetId: string; key: string }[] = [];
    for (const segment of await this.retention.segments(tenantId, recordingId)) {
      for (const at of locations(segment)) {
        const { target } = await this.targets.byId(tenantId, at.targetId);
        await target.delete(at.key);
        objects.push(at);
      }
    }
    const detail = { policyId: policy.id, policyName: policy.name, callIds, objects };
    await this.retention.purge(tenantId, recordingId, {
      actorUserId: null,
      action: 'recording.delete',
      targetType: 'recording',
      targetId: recordingId,
      detail: { by: 'retention-policy', ...detail },
      ip: null,
    });
    this.logger.info({ recordingId, ...detail }, 'retention policy deleted a recording');
  }

  private async move(tenantId: string, recordingId: string, policy: RetentionPolicy, callIds: string[]) {
    if (!policy.targetId) throw new RetryLater(`move policy ${policy.name} names no storage target`, true);
    const to = await this.targets.byId(tenantId, policy.targetId);
    const moved: { from: { targetId: string; key: string }; to: { targetId: string; key: string } }[] = [];
    for (const segment of await this.retention.segments(tenantId, recordingId)) {
      if (segment.state !== 'stored' || !segment.storage_target_id || !segment.storage_key) continue;
      let from = { targetId: segment.storage_target_id, key: segment.storage_key };
      if (from.targetId !== to.id) {
        const source = (await this.targets.byId(tenantId, from.targetId)).target;
        const key = from.key;
        const open = () =>
          Readable.from(
            (async function* () {
              yield* (await source.get(key)).body;
            })(),
          );
        const size = Number(segment.bytes);
        const result = await storeNew(to.target, key, open, { size, sha256: segment.sha256 });
        const info = await to.target.stat(result.key);
        if (info?.size !== size)
          throw new Error(`copy of ${key} on ${to.id} has ${info?.size ?? 'no'} bytes, expected ${size}`);
        if (
          !(await this.retention.switchSegment(
            tenantId,
            { id: segment.id, fromTargetId: from.targetId, fromKey: key },
            { targetId: to.id, key: result.key },
          ))
        )
          continue;
        moved.push({ from, to: { targetId: to.id, key: result.key } });
      } else if (segment.moved_from_target_id && segment.moved_from_key) {
        from = { targetId: segment.moved_from_target_id, key: segment.moved_from_key };
        moved.push({ from, to: { targetId: to.id, key: segment.storage_key } });
      } else continue;
      // The copy is recorded; only now may the original go (a failure here retries the delete alone).
      await (await this.targets.byId(tenantId, from.targetId)).target.delete(from.key);
      await this.retention.clearMovedFrom(tenantId, segment.id);
    }
    await this.retention.finished(tenantId, recordingId);
    if (!moved.length) return;
    const detail = { policyId: policy.id, policyName: policy.name, callIds, objects: moved };
    await this.audit.record(tenantId, {
      actorUserId: null,
      action: 'recording.move',
      targetType: 'recording',
      targetId: recordingId,
      detail: { by: 'retention-policy', ...detail },
      ip: null,
    });
    this.logger.info({ recordingId, ...detail }, 'retention policy moved a recording; originals deleted');
  }
}

/** Where a segment has objects: where it is, and where a move left its original not yet deleted. */
function locations(segment: Segment): { targetId: string; key: string }[] {
  const at: { targetId: string; key: string }[] = [];
  if (segment.storage_target_id && segment.storage_key)
    at.push({ targetId: segment.storage_target_id, key: segment.storage_key });
  if (segment.moved_from_target_id && segment.moved_from_key)
    at.push({ targetId: segment.moved_from_target_id, key: segment.moved_from_key });
  return at;
}
