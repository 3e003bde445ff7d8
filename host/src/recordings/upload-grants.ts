import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface UploadGrant {
  tenantId: string;
  recordingId: string;
  workstationId: string;
  workstationState: 'pending' | 'authorized' | 'forbidden';
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh upload token for one recording: 256 random bits, stored only as a hash. */
export function newUploadToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hash(token) };
}

/**
 * Who may upload: the bearer of a recording's upload token, from the workstation that recorded it, while
 * that workstation is authorized (the caller checks the state).
 */
export async function findUploadGrant(db: Kysely<Database>, token: string): Promise<UploadGrant | undefined> {
  if (!/^[A-Za-z0-9_-]{16,512}$/.test(token)) return undefined;
  const tokenHash = hash(token);
  const row = await db
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
