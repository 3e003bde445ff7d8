import { randomUUID } from 'node:crypto';
import { type Clock, type Logger, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import type { AuditRepo } from '../db/repos/audit.js';
import type { Database } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import type { UploadClaims } from '../uploads/upload-token.js';
import { hashUploadToken } from './upload-grants.js';

const END_REASON = 'recovered from an upload: the host had no record of this capture';

/**
 * A capture the database cannot account for: `capture.start` went out, and the host died (or lost its
 * database) before the rows were written. A validly signed upload token says what they were, so the
 * recording (and its call, when that is missing too) is written again, marked as recovered and audited.
 */
@injectable()
export class RecoverCapture {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(HOST_TOKENS.AuditRepo) private readonly audit: AuditRepo,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** False when the workstation is not on record: nothing to recover the capture for. */
  async recover(claims: UploadClaims, token: string): Promise<boolean> {
    const { tenantId, recordingId } = claims;
    const now = this.clock.now();
    const recovered = await this.db.transaction().execute(async (trx) => {
      const workstation = await trx
        .selectFrom('workstations')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('id', '=', claims.workstationId)
        .executeTakeFirst();
      if (!workstation) return undefined;
      const user = claims.userId
        ? await trx
            .selectFrom('users')
            .select('id')
            .where('tenant_id', '=', tenantId)
            .where('id', '=', claims.userId)
            .executeTakeFirst()
        : undefined;
      // Any conflict (this recording, its capture or its token already on record) means nothing is missing.
      const inserted = await trx
        .insertInto('recordings')
        .values({
          id: recordingId,
          tenant_id: tenantId,
          workstation_id: claims.workstationId,
          user_id: user?.id ?? null,
          capture_id: claims.captureId,
          // Ended now: nothing on this host runs the capture, so its token lives the usual time after.
          state: 'uploading',
          started_at: claims.issuedAt,
          ended_at: now,
          end_reason: END_REASON,
          upload_token_hash: hashUploadToken(token),
          recovered_at: now,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) return { callId: null, callRecovered: false, inserted: false };
      if (!claims.call) return { callId: null, callRecovered: false, inserted: true };
      const { sourceId, externalCallId } = claims.call;
      const newCall = await trx
        .insertInto('calls')
        .values({
          id: randomUUID(),
          tenant_id: tenantId,
          source_id: sourceId,
          external_call_id: externalCallId,
          direction: 'unknown',
          from_number: null,
          from_name: null,
          to_number: null,
          to_name: null,
          started_at: claims.issuedAt,
          ended_at: now,
          user_id: user?.id ?? null,
          extension: null,
          state: 'ended',
          no_recording_reason: null,
          audio_key: null,
          audio_target_id: null,
          end_reason: 'recovered from an upload: the call was not on record',
          recovered_at: now,
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'source_id', 'external_call_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      const call =
        newCall ??
        (await trx
          .selectFrom('calls')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('source_id', '=', sourceId)
          .where('external_call_id', '=', externalCallId)
          .executeTakeFirstOrThrow());
      // The call is recorded after all, whatever an end without its start noted.
      if (!newCall)
        await trx.updateTable('calls').set({ no_recording_reason: null }).where('id', '=', call.id).execute();
      await trx
        .insertInto('call_recordings')
        .values({ tenant_id: tenantId, call_id: call.id, recording_id: recordingId })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return { callId: call.id, callRecovered: !!newCall, inserted: true };
    });
    if (!recovered) return false;
    if (!recovered.inserted) return true;
    const detail = {
      workstationId: claims.workstationId,
      captureId: claims.captureId,
      callId: recovered.callId,
      callRecovered: recovered.callRecovered,
      issuedAt: claims.issuedAt.toISOString(),
    };
    await this.audit.record(tenantId, {
      actorUserId: null,
      action: 'recording.recovered',
      targetType: 'recording',
      targetId: recordingId,
      detail,
      ip: null,
    });
    this.logger.warn({ tenantId, recordingId, ...detail }, 'recording re-created from its upload token');
    return true;
  }
}
