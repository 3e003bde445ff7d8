import type { Insertable, Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

export type EndedRecordingState = 'uploading' | 'failed' | 'none';

/** Recording rows: one per capture a workstation ran, from capture.start to its last stored segment. */
@injectable()
export class RecordingsRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  async insert(row: Insertable<Database['recordings']>): Promise<void> {
    await this.db.insertInto('recordings').values(row).execute();
  }

  /** What stopping a capture needs to know. */
  forStop(tenantId: string, recordingId: string) {
    return this.db
      .selectFrom('recordings')
      .select(['workstation_id', 'capture_id', 'state', 'ended_at'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .executeTakeFirst();
  }

  /** `capture.stop` went out: the recording ends when the agent confirms (its last segments come first). */
  async markStopping(tenantId: string, recordingId: string, reason: string): Promise<void> {
    await this.db
      .updateTable('recordings')
      .set({ end_reason: `stopping: ${reason}` })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .where('ended_at', 'is', null)
      .execute();
  }

  /** Ends a recording once (a later end keeps the first one's time and reason). */
  async end(
    tenantId: string,
    recordingId: string,
    state: EndedRecordingState,
    reason: string,
    at: Date,
  ): Promise<void> {
    await this.db
      .updateTable('recordings')
      .set({ state, ended_at: at, end_reason: reason })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .where('ended_at', 'is', null)
      .execute();
  }

  byCapture(tenantId: string, workstationId: string, captureId: string) {
    return this.db
      .selectFrom('recordings')
      .select(['id', 'state', 'recovered_at'])
      .where('tenant_id', '=', tenantId)
      .where('workstation_id', '=', workstationId)
      .where('capture_id', '=', captureId)
      .executeTakeFirst();
  }

  /** The agent's own start time; found and updated in one statement (every capture reports it once). */
  async setStartedAt(tenantId: string, workstationId: string, captureId: string, at: Date): Promise<boolean> {
    const row = await this.db
      .updateTable('recordings')
      .set({ started_at: at })
      .where('tenant_id', '=', tenantId)
      .where('workstation_id', '=', workstationId)
      .where('capture_id', '=', captureId)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The workstation's running captures with the login of the user each records. */
  runningOn(tenantId: string, workstationId: string) {
    return this.db
      .selectFrom('recordings')
      .innerJoin('users', (j) =>
        j.onRef('users.tenant_id', '=', 'recordings.tenant_id').onRef('users.id', '=', 'recordings.user_id'),
      )
      .select(['recordings.id', 'users.screen_recording_login'])
      .where('recordings.tenant_id', '=', tenantId)
      .where('recordings.workstation_id', '=', workstationId)
      .where('recordings.state', '=', 'recording')
      .where('recordings.ended_at', 'is', null)
      .execute();
  }

  /** The workstation's recordings still recording (asked to stop or not). */
  openOn(tenantId: string, workstationId: string) {
    return this.db
      .selectFrom('recordings')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('workstation_id', '=', workstationId)
      .where('state', '=', 'recording')
      .where('ended_at', 'is', null)
      .execute();
  }

  /** The tenant's captures running and not asked to stop (memory's start-up read). */
  running(tenantId: string) {
    return this.db
      .selectFrom('recordings')
      .select(['id', 'capture_id', 'workstation_id'])
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'recording')
      .where('ended_at', 'is', null)
      .where('end_reason', 'is', null)
      .execute();
  }

  /** Everything a file-name template may refer to, for the segments of one recording. */
  async templateFacts(tenantId: string, recordingId: string) {
    const recording = await this.db
      .selectFrom('recordings')
      .innerJoin('tenants', 'tenants.id', 'recordings.tenant_id')
      .leftJoin('workstations', (j) =>
        j
          .onRef('workstations.tenant_id', '=', 'recordings.tenant_id')
          .onRef('workstations.id', '=', 'recordings.workstation_id'),
      )
      .leftJoin('users', (j) =>
        j.onRef('users.tenant_id', '=', 'recordings.tenant_id').onRef('users.id', '=', 'recordings.user_id'),
      )
      .select([
        'recordings.id',
        'recordings.started_at',
        'recordings.ended_at',
        'tenants.slug',
        'workstations.computer_name',
        'users.screen_recording_login',
        'workstations.login',
      ])
      .where('recordings.tenant_id', '=', tenantId)
      .where('recordings.id', '=', recordingId)
      .executeTakeFirst();
    const call = await this.db
      .selectFrom('call_recordings')
      .innerJoin('calls', (j) =>
        j
          .onRef('calls.tenant_id', '=', 'call_recordings.tenant_id')
          .onRef('calls.id', '=', 'call_recordings.call_id'),
      )
      .select(['calls.external_call_id', 'calls.direction', 'calls.extension', 'calls.started_at'])
      .where('call_recordings.tenant_id', '=', tenantId)
      .where('call_recordings.recording_id', '=', recordingId)
      .orderBy('calls.started_at')
      .executeTakeFirst();
    return { recording, call };
  }
}
