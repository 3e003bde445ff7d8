import { type Clock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database, Segment } from '../schema.js';
import type { AuditEntry } from './audit.js';
import type { RetentionPolicy } from './retention-policies.js';

/** Recording states after which nothing more is written: a policy never touches a recording still growing. */
const FINISHED = ['stored', 'failed', 'none'] as const;

/** What the retention sweep and jobs read and write, and the calls' legal hold. */
@injectable()
export class RetentionRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** Recordings of the policy's tenant (and users) older than its days, not held, not queued, with work left. */
  async due(policy: RetentionPolicy, limit: number): Promise<string[]> {
    const cutoff = new Date(this.clock.now().getTime() - policy.afterDays * 86_400_000);
    let query = this.db
      .selectFrom('recordings as r')
      .select('r.id')
      .where('r.tenant_id', '=', policy.tenantId)
      .where('r.started_at', '<', cutoff)
      .where('r.state', 'in', FINISHED)
      .where('r.purged_at', 'is', null)
      .where('r.retention_queued_at', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('call_recordings as cr')
              .innerJoin('calls as c', (j) =>
                j.onRef('c.id', '=', 'cr.call_id').onRef('c.tenant_id', '=', 'cr.tenant_id'),
              )
              .select('c.id')
              .whereRef('cr.recording_id', '=', 'r.id')
              .whereRef('cr.tenant_id', '=', 'r.tenant_id')
              .where('c.legal_hold', '=', true),
          ),
        ),
      );
    if (policy.userIds.length) query = query.where('r.user_id', 'in', policy.userIds);
    if (policy.action === 'move') {
      const targetId = policy.targetId ?? '';
      query = query.where(({ exists, selectFrom }) =>
        exists(
          selectFrom('segments as s')
            .select('s.id')
            .whereRef('s.recording_id', '=', 'r.id')
            .whereRef('s.tenant_id', '=', 'r.tenant_id')
            .where('s.state', '=', 'stored')
            .where('s.storage_target_id', '<>', targetId),
        ),
      );
    }
    const rows = await query.orderBy('r.started_at').limit(limit).execute();
    return rows.map((r) => r.id);
  }

  /**
   * Marks the recording queued and enqueues its job in one transaction, so a crash leaves neither or both;
   * a recording already queued (another host's sweep, or an earlier one) gets no second job.
   */
  async enqueueOnce(tenantId: string, recordingId: string, kind: string, policyId: string): Promise<boolean> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const marked = await trx
        .updateTable('recordings')
        .set({ retention_queued_at: now })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', recordingId)
        .where('retention_queued_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!marked) return false;
      await trx
        .insertInto('jobs')
        .values({
          tenant_id: tenantId,
          kind,
          payload: JSON.stringify({ recordingId, policyId }),
          run_after: now,
          last_error: null,
          locked_by: null,
          locked_until: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return true;
    });
  }

  recording(tenantId: string, recordingId: string) {
    return this.db
      .selectFrom('recordings')
      .select(['id', 'user_id', 'purged_at', 'started_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .executeTakeFirst();
  }

  /** The calls the recording belongs to, and whether any of them is on legal hold. */
  async calls(tenantId: string, recordingId: string): Promise<{ ids: string[]; held: boolean }> {
    const rows = await this.db
      .selectFrom('call_recordings as cr')
      .innerJoin('calls as c', (j) =>
        j.onRef('c.id', '=', 'cr.call_id').onRef('c.tenant_id', '=', 'cr.tenant_id'),
      )
      .select(['c.id', 'c.legal_hold'])
      .where('cr.tenant_id', '=', tenantId)
      .where('cr.recording_id', '=', recordingId)
      .orderBy('c.id')
      .execute();
    return { ids: rows.map((r) => r.id), held: rows.some((r) => r.legal_hold) };
  }

  segments(tenantId: string, recordingId: string): Promise<Segment[]> {
    return this.db
      .selectFrom('segments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('recording_id', '=', recordingId)
      .orderBy('monitor_id')
      .orderBy('idx')
      .execute();
  }

  /**
   * Points a segment at its copy and keeps the old location until its object is deleted; only when the
   * segment still sits where the copy came from (false otherwise).
   */
  async switchSegment(
    tenantId: string,
    segment: { id: string; fromTargetId: string; fromKey: string },
    to: { targetId: string; key: string },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('segments')
      .set({
        storage_target_id: to.targetId,
        storage_key: to.key,
        moved_from_target_id: segment.fromTargetId,
        moved_from_key: segment.fromKey,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', segment.id)
      .where('storage_target_id', '=', segment.fromTargetId)
      .where('storage_key', '=', segment.fromKey)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async clearMovedFrom(tenantId: string, segmentId: string): Promise<void> {
    await this.db
      .updateTable('segments')
      .set({ moved_from_target_id: null, moved_from_key: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', segmentId)
      .execute();
  }

  /** After every object is deleted: the segment rows go, the recording is marked purged, and the audit line written, together. */
  async purge(tenantId: string, recordingId: string, audit: AuditEntry): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('segments')
        .where('tenant_id', '=', tenantId)
        .where('recording_id', '=', recordingId)
        .execute();
      await trx
        .updateTable('recordings')
        .set({ purged_at: now, retention_queued_at: null })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', recordingId)
        .execute();
      await trx
        .insertInto('audit_log')
        .values({
          tenant_id: tenantId,
          actor_user_id: audit.actorUserId,
          action: audit.action,
          target_type: audit.targetType,
          target_id: audit.targetId,
          detail: JSON.stringify(audit.detail ?? {}),
          ip: audit.ip,
          at: now,
        })
        .execute();
    });
  }

  /** The job is over (done, or nothing to do): a later sweep may queue the recording again. */
  async finished(tenantId: string, recordingId: string): Promise<void> {
    await this.db
      .updateTable('recordings')
      .set({ retention_queued_at: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .execute();
  }

  /** Sets or lifts a call's legal hold; undefined when the tenant has no such call. */
  async setHold(tenantId: string, callId: string, reason: string | null) {
    return this.db
      .updateTable('calls')
      .set({
        legal_hold: reason !== null,
        legal_hold_reason: reason,
        legal_hold_at: reason !== null ? this.clock.now() : null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', callId)
      .returning(['id', 'legal_hold', 'legal_hold_reason', 'legal_hold_at'])
      .executeTakeFirst();
  }

  hold(tenantId: string, callId: string) {
    return this.db
      .selectFrom('calls')
      .select(['id', 'legal_hold', 'legal_hold_reason', 'legal_hold_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', callId)
      .executeTakeFirst();
  }
}
