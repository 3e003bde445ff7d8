import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

/** What the workstation page adds to the list's view: identity, addresses and what went wrong last. */
export interface WorkstationDetails {
  /**
   * The first 64 bits of the SHA-256 of the workstation secret, as stored ("sha256:<hex>"): tells two
   * machines of the same name apart, and changes when an agent enrolls with a new identity.
   */
  identityFingerprint: string | null;
  /** Another address that presented this workstation id with a wrong secret, and when. */
  conflict: { address: string | null; at: Date | null } | null;
  /** The latest capture that failed or was refused on this workstation. */
  lastError: { at: Date; message: string; recordingId: string } | null;
  recordings: number;
  /** The agent's latest spool reports (files it could not upload, a full or unwritable spool), newest first. */
  spoolReports: { at: Date; kind: string; reason: string; fileName?: string }[];
  /** Every address the agent connected from, latest first (at most 20). */
  addresses: { address: string; firstSeen: Date; lastSeen: Date; connections: number }[];
}

const ERROR_PREFIXES = ['capture failed:%', 'agent refused:%'];

@injectable()
export class WorkstationDetailsRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  async get(tenantId: string, workstationId: string): Promise<WorkstationDetails | undefined> {
    const row = await this.db
      .selectFrom('workstations')
      .select(['secret_hash', 'conflict', 'conflict_address', 'conflict_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', workstationId)
      .executeTakeFirst();
    if (!row) return undefined;
    const [failed, count, reports, addresses] = await Promise.all([
      this.db
        .selectFrom('recordings')
        .select(['id', 'started_at', 'ended_at', 'end_reason'])
        .where('tenant_id', '=', tenantId)
        .where('workstation_id', '=', workstationId)
        .where((eb) => eb.or(ERROR_PREFIXES.map((p) => eb('end_reason', 'like', p))))
        .orderBy('started_at', 'desc')
        .limit(1)
        .executeTakeFirst(),
      this.db
        .selectFrom('recordings')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .where('workstation_id', '=', workstationId)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('audit_log')
        .select(['at', 'action', 'detail'])
        .where('tenant_id', '=', tenantId)
        .where('target_type', '=', 'workstation')
        .where('target_id', '=', workstationId)
        .where('action', 'like', 'agent.%')
        .orderBy('at', 'desc')
        .limit(10)
        .execute(),
      this.db
        .selectFrom('workstation_addresses')
        .select(['address', 'first_seen', 'last_seen', 'connections'])
        .where('tenant_id', '=', tenantId)
        .where('workstation_id', '=', workstationId)
        .orderBy('last_seen', 'desc')
        .limit(20)
        .execute(),
    ]);
    return {
      identityFingerprint: fingerprintOf(row.secret_hash),
      conflict:
        row.conflict || row.conflict_address
          ? {
              address: row.conflict_address,
              at: row.conflict_at ? new Date(row.conflict_at) : null,
            }
          : null,
      lastError: failed
        ? {
            at: new Date(failed.ended_at ?? failed.started_at),
            message: failed.end_reason ?? '',
            recordingId: failed.id,
          }
        : null,
      recordings: Number(count.n),
      addresses: addresses.map((a) => ({
        address: a.address,
        firstSeen: new Date(a.first_seen),
        lastSeen: new Date(a.last_seen),
        connections: Number(a.connections),
      })),
      spoolReports: reports.map((r) => {
        const detail = (typeof r.detail === 'string' ? JSON.parse(r.detail) : r.detail) as {
          reason?: string;
          fileName?: string;
        };
        return {
          at: new Date(r.at),
          kind: r.action.slice('agent.'.length),
          reason: detail?.reason ?? '',
          ...(detail?.fileName ? { fileName: detail.fileName } : {}),
        };
      }),
    };
  }
}

/** "sha256:0a1b…" → "0A1B 2C3D 4E5F 6071"; null for a hash of another form. */
export function fingerprintOf(secretHash: string): string | null {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(secretHash)?.[1];
  if (!hex) return null;
  return hex.slice(0, 16).toUpperCase().match(/.{4}/g)?.join(' ') ?? null;
}
