import { timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { hashUploadToken } from '../../recordings/upload-grants.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

export interface UploadGrant {
  tenantId: string;
  recordingId: string;
  workstationId: string;
  workstationState: 'pending' | 'authorized' | 'forbidden';
  /** When the token stops working: unset while the capture runs; then its end (or last use) plus the TTL. */
  expiresAt?: Date;
  /** Last use was over an hour ago: `renew` would write (it is written at most hourly). */
  renewDue?: boolean;
}

const RENEW_EVERY_MS = 3_600_000;

/**
 * Who may upload: the bearer of a recording's upload token, from the workstation that recorded it, while
 * that workstation is authorized (the caller checks the state).
 */
@injectable()
export class UploadGrantsRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  /** The grant of an older random `token`, found by its hash; see `ofRecording` for signed ones. */
  find(token: string, ttlMs: number, now: Date): Promise<UploadGrant | undefined> {
    if (!/^[A-Za-z0-9_-]{16,512}$/.test(token)) return Promise.resolve(undefined);
    return this.lookup(hashUploadToken(token), ttlMs, now);
  }

  /**
   * The grant of a signed token's recording, or undefined when the recording is not on record (or holds
   * another token: a token works only for the recording it was issued with).
   */
  ofRecording(
    tenantId: string,
    recordingId: string,
    token: string,
    ttlMs: number,
    now: Date,
  ): Promise<UploadGrant | undefined> {
    return this.lookup(hashUploadToken(token), ttlMs, now, { tenantId, recordingId });
  }

  /** `ttlMs` after the capture ended (or the token's last use since), `expiresAt`. */
  private async lookup(
    tokenHash: string,
    ttlMs: number,
    now: Date,
    recording?: { tenantId: string; recordingId: string },
  ): Promise<UploadGrant | undefined> {
    let query = this.db
      .selectFrom('recordings')
      .innerJoin('workstations', (join) =>
        join
          .onRef('workstations.tenant_id', '=', 'recordings.tenant_id')
          .onRef('workstations.id', '=', 'recordings.workstation_id'),
      )
      .select([
        'recordings.tenant_id as tenantId',
        'recordings.id as recordingId',
        'recordings.workstation_id as workstationId',
        'recordings.upload_token_hash as tokenHash',
        'workstations.state as workstationState',
        'recordings.ended_at as endedAt',
        'recordings.upload_renewed_at as renewedAt',
      ]);
    query = recording
      ? query
          .where('recordings.tenant_id', '=', recording.tenantId)
          .where('recordings.id', '=', recording.recordingId)
      : query.where('recordings.upload_token_hash', '=', tokenHash);
    const row = await query.executeTakeFirst();
    // The compare in constant time guards against a hash index returning a near match, and binds a signed
    // token to the one recording whose row holds its hash.
    if (
      !row?.tokenHash ||
      row.tokenHash.length !== tokenHash.length ||
      !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(tokenHash))
    )
      return undefined;
    const lastUse = Math.max(
      row.endedAt ? new Date(row.endedAt).getTime() : 0,
      row.renewedAt ? new Date(row.renewedAt).getTime() : 0,
    );
    return {
      tenantId: row.tenantId,
      recordingId: row.recordingId,
      workstationId: row.workstationId,
      workstationState: row.workstationState,
      ...(row.endedAt
        ? { expiresAt: new Date(lastUse + ttlMs), renewDue: now.getTime() - lastUse >= RENEW_EVERY_MS }
        : {}),
    };
  }

  /** The agent still uploads segments of an ended capture: the token lives on. Written at most hourly. */
  async renew(tenantId: string, recordingId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('recordings')
      .set({ upload_renewed_at: at })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .where('ended_at', 'is not', null)
      .where((eb) =>
        eb.or([
          eb('upload_renewed_at', 'is', null),
          eb('upload_renewed_at', '<', new Date(at.getTime() - RENEW_EVERY_MS)),
        ]),
      )
      .execute();
  }
}
