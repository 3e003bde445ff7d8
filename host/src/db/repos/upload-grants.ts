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
}

/**
 * Who may upload: the bearer of a recording's upload token, from the workstation that recorded it, while
 * that workstation is authorized (the caller checks the state).
 */
@injectable()
export class UploadGrantsRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  async find(token: string): Promise<UploadGrant | undefined> {
    if (!/^[A-Za-z0-9_-]{16,512}$/.test(token)) return undefined;
    const tokenHash = hashUploadToken(token);
    const row = await this.db
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
      ])
      .where('recordings.upload_token_hash', '=', tokenHash)
      .executeTakeFirst();
    // The lookup is by hash; the compare in constant time guards against a hash index returning a near match.
    if (!row?.tokenHash || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(tokenHash)))
      return undefined;
    return {
      tenantId: row.tenantId,
      recordingId: row.recordingId,
      workstationId: row.workstationId,
      workstationState: row.workstationState,
    };
  }
}
