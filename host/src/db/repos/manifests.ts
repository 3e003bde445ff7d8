import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database, RecordingManifestsTable } from '../schema.js';

export type ManifestRow = Omit<RecordingManifestsTable, 'sealed_at'> & { sealed_at: Date };

/** Signed manifests of stored recordings, one per recording (the latest when a recording was reopened). */
@injectable()
export class ManifestsRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  async save(row: ManifestRow): Promise<void> {
    const { tenant_id, recording_id, ...rest } = row;
    await this.db
      .insertInto('recording_manifests')
      .values(row)
      .onConflict((oc) => oc.columns(['tenant_id', 'recording_id']).doUpdateSet(rest))
      .execute();
  }

  get(tenantId: string, recordingId: string) {
    return this.db
      .selectFrom('recording_manifests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('recording_id', '=', recordingId)
      .executeTakeFirst();
  }

  /** What a manifest says about the recording besides its files: its state, tenant, calls and times. */
  async sealFacts(tenantId: string, recordingId: string) {
    const recording = await this.db
      .selectFrom('recordings')
      .innerJoin('tenants', 'tenants.id', 'recordings.tenant_id')
      .select([
        'recordings.state',
        'recordings.workstation_id',
        'recordings.started_at',
        'recordings.ended_at',
        'tenants.slug',
      ])
      .where('recordings.tenant_id', '=', tenantId)
      .where('recordings.id', '=', recordingId)
      .executeTakeFirst();
    if (!recording) return undefined;
    const calls = await this.db
      .selectFrom('call_recordings')
      .innerJoin('calls', (j) =>
        j
          .onRef('calls.tenant_id', '=', 'call_recordings.tenant_id')
          .onRef('calls.id', '=', 'call_recordings.call_id'),
      )
      .select('calls.external_call_id')
      .where('call_recordings.tenant_id', '=', tenantId)
      .where('call_recordings.recording_id', '=', recordingId)
      .orderBy('calls.started_at')
      .execute();
    return { ...recording, callIds: calls.map((c) => c.external_call_id) };
  }

  /** Every stored segment of a tenant, in recording order: what the verify command reads back. */
  storedSegments(tenantId: string) {
    return this.db
      .selectFrom('segments')
      .select(['id', 'recording_id', 'storage_target_id', 'storage_key', 'bytes', 'sha256'])
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'stored')
      .orderBy('recording_id')
      .orderBy('monitor_id')
      .orderBy('idx')
      .execute();
  }

  /** Stored recordings with no manifest: stored before sealing existed, or their seal is still queued. */
  async unsealed(tenantId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('recordings')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'stored')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('recording_manifests as m')
              .select('m.recording_id')
              .whereRef('m.tenant_id', '=', 'recordings.tenant_id')
              .whereRef('m.recording_id', '=', 'recordings.id'),
          ),
        ),
      )
      .orderBy('started_at')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Every manifest of a tenant, oldest first (the verify command walks them). */
  listForTenant(tenantId: string) {
    return this.db
      .selectFrom('recording_manifests')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('sealed_at')
      .execute();
  }
}
