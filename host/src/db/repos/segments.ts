import { randomUUID } from 'node:crypto';
import type { RecordingState } from '@deskrec/core';
import { type Clock, TOKENS } from '@deskrec/core';
import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database, SegmentsTable } from '../schema.js';

export interface SegmentFacts {
  monitorId: string;
  index: number;
  startedAt: Date;
  durationMs: number;
  bytes: number;
  sha256: string;
}

type SegmentState = SegmentsTable['state'];

/** Segment rows: one per file of a recording, following it from the agent to the storage target. */
@injectable()
export class SegmentsRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** Creates the row or updates its facts; an already stored segment is left as it is. */
  async upsert(
    tenantId: string,
    recordingId: string,
    facts: SegmentFacts,
    state: SegmentState,
  ): Promise<string> {
    const existing = await this.db
      .selectFrom('segments')
      .select(['id', 'state'])
      .where('tenant_id', '=', tenantId)
      .where('recording_id', '=', recordingId)
      .where('monitor_id', '=', facts.monitorId)
      .where('idx', '=', facts.index)
      .executeTakeFirst();
    if (existing) {
      if (existing.state !== 'stored' && existing.state !== 'spooled') {
        await this.db
          .updateTable('segments')
          .set({
            started_at: facts.startedAt,
            duration_ms: facts.durationMs,
            bytes: facts.bytes,
            sha256: facts.sha256,
            state,
            error: null,
          })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', existing.id)
          .execute();
      }
      return existing.id;
    }
    const id = randomUUID();
    await this.db
      .insertInto('segments')
      .values({
        id,
        tenant_id: tenantId,
        recording_id: recordingId,
        monitor_id: facts.monitorId,
        idx: facts.index,
        started_at: facts.startedAt,
        duration_ms: facts.durationMs,
        bytes: facts.bytes,
        sha256: facts.sha256,
        state,
        spool_path: null,
        storage_target_id: null,
        storage_key: null,
        stored_at: null,
        error: null,
      })
      .onConflict((oc) => oc.columns(['recording_id', 'monitor_id', 'idx']).doNothing())
      .execute();
    // A segment reported after the recording looked complete reopens it.
    await this.db
      .updateTable('recordings')
      .set({ state: 'uploading' })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .where('state', '=', 'stored')
      .execute();
    return (
      await this.db
        .selectFrom('segments')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('recording_id', '=', recordingId)
        .where('monitor_id', '=', facts.monitorId)
        .where('idx', '=', facts.index)
        .executeTakeFirstOrThrow()
    ).id;
  }

  async setState(
    tenantId: string,
    id: string,
    state: SegmentState,
    error: string | null = null,
  ): Promise<void> {
    await this.db
      .updateTable('segments')
      .set({ state, error })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * The host now holds the bytes durably. False when it already did (spooled or stored by an earlier
   * upload): a stored segment never goes back to spooled.
   */
  async markSpooled(tenantId: string, id: string, spoolPath: string): Promise<boolean> {
    const updated = await this.db
      .updateTable('segments')
      .set({ state: 'spooled', spool_path: spoolPath, error: null })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('state', 'not in', ['spooled', 'stored'])
      .returning('id')
      .executeTakeFirst();
    return Boolean(updated);
  }

  /** Segments of a recording with an upload under way. */
  async countUploading(tenantId: string, recordingId: string): Promise<number> {
    const row = await this.db
      .selectFrom('segments')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('recording_id', '=', recordingId)
      .where('state', '=', 'uploading')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The segment with this identity in a recording (monitor and index), if any. */
  byIdentity(tenantId: string, recordingId: string, monitorId: string, index: number) {
    return this.db
      .selectFrom('segments')
      .select(['id', 'state', 'sha256'])
      .where('tenant_id', '=', tenantId)
      .where('recording_id', '=', recordingId)
      .where('monitor_id', '=', monitorId)
      .where('idx', '=', index)
      .executeTakeFirst();
  }

  async markStored(
    tenantId: string,
    id: string,
    targetId: string,
    key: string,
    size: number,
    sha256: string,
  ): Promise<void> {
    await this.db
      .updateTable('segments')
      .set({
        state: 'stored',
        storage_target_id: targetId,
        storage_key: key,
        bytes: size,
        sha256,
        stored_at: this.clock.now(),
        spool_path: null,
        error: null,
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  /** Keeps the spooled state (the job retries) but records why the last attempt failed, for the portal. */
  async noteError(tenantId: string, id: string, error: string): Promise<void> {
    await this.db
      .updateTable('segments')
      .set({ error: error.slice(0, 2000) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .execute();
  }

  get(tenantId: string, id: string) {
    return this.db
      .selectFrom('segments')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  listForRecording(tenantId: string, recordingId: string) {
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
   * A recording is stored once it has ended and each of its segments reached storage; until then an ended
   * one is uploading (or stays failed). Decided and written in one statement, since every segment stored
   * and every capture ended asks.
   */
  async refreshRecordingState(tenantId: string, recordingId: string): Promise<void> {
    const next = (eb: ExpressionBuilder<Database, 'recordings'>) => {
      const segments = eb
        .selectFrom('segments')
        .select('segments.id')
        .where('segments.tenant_id', '=', tenantId)
        .where('segments.recording_id', '=', recordingId);
      return eb
        .case()
        .when(
          eb.and([eb.exists(segments), eb.not(eb.exists(segments.where('segments.state', '<>', 'stored')))]),
        )
        .then(sql.lit<RecordingState>('stored'))
        .when('recordings.state', '=', 'failed')
        .then(sql.lit<RecordingState>('failed'))
        .else(sql.lit<RecordingState>('uploading'))
        .end();
    };
    await this.db
      .updateTable('recordings')
      .set((eb) => ({ state: next(eb) }))
      .where('tenant_id', '=', tenantId)
      .where('id', '=', recordingId)
      .where('state', '<>', 'none')
      .where('ended_at', 'is not', null)
      .where((eb) => eb(next(eb), '<>', eb.ref('recordings.state')))
      .execute();
  }
}
