import { randomUUID } from 'node:crypto';
import type { CallEvent } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Call, Database } from '../schema.js';

/** A call row and whether this statement created it. */
export type CallRow = Call & { created: boolean };

/** Call rows: one per call the phone system reported, whatever its legs and recordings. */
@injectable()
export class CallsRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  find(tenantId: string, sourceId: string, externalCallId: string): Promise<Call | undefined> {
    return this.db
      .selectFrom('calls')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('source_id', '=', sourceId)
      .where('external_call_id', '=', externalCallId)
      .executeTakeFirst();
  }

  /**
   * The event's call, created when missing. A start passes what a new row should say (the agent's user, why
   * nothing is recorded) and inserts first, since its call is usually new; an end looks it up first.
   */
  async upsert(
    tenantId: string,
    sourceId: string,
    event: CallEvent,
    initial?: { user_id: string | null; no_recording_reason: string | null },
  ): Promise<CallRow> {
    if (!initial) {
      const existing = await this.find(tenantId, sourceId, event.callId);
      if (existing) return { ...existing, created: false };
    }
    const inserted = await this.db
      .insertInto('calls')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        source_id: sourceId,
        external_call_id: event.callId,
        direction: event.direction,
        from_number: event.from?.number ?? null,
        from_name: event.from?.name ?? null,
        to_number: event.to?.number ?? null,
        to_name: event.to?.name ?? null,
        started_at: event.at,
        ended_at: null,
        user_id: initial?.user_id ?? null,
        extension: event.agent.by === 'extension' ? event.agent.value : null,
        state: 'active',
        no_recording_reason: initial?.no_recording_reason ?? null,
        audio_key: null,
        audio_target_id: null,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'source_id', 'external_call_id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (inserted) return { ...inserted, created: true };
    const existing = await this.find(tenantId, sourceId, event.callId);
    if (!existing) throw new Error(`call ${event.callId} was neither inserted nor found`);
    return { ...existing, created: false };
  }

  /** A call that existed (a transfer, a second agent) is active again, with the leg's user and recording. */
  async reopen(callId: string, change: { userId?: string; recorded: boolean }): Promise<void> {
    await this.db
      .updateTable('calls')
      .set({
        state: 'active',
        ended_at: null,
        ...(change.userId ? { user_id: change.userId } : {}),
        ...(change.recorded ? { no_recording_reason: null } : {}),
      })
      .where('id', '=', callId)
      .execute();
  }

  /** Notes why nothing is recorded, unless a reason is noted already (the first one explains best). */
  async noteNoRecording(callId: string, reason: string): Promise<void> {
    await this.db
      .updateTable('calls')
      .set({ no_recording_reason: reason })
      .where('id', '=', callId)
      .where('no_recording_reason', 'is', null)
      .execute();
  }

  async clearNoRecording(callId: string): Promise<void> {
    await this.db.updateTable('calls').set({ no_recording_reason: null }).where('id', '=', callId).execute();
  }

  /** The call ends with its last open leg. */
  async endIfNoOpenLegs(tenantId: string, callId: string, at: Date): Promise<void> {
    await this.db
      .updateTable('calls')
      .set({ state: 'ended', ended_at: at })
      .where('id', '=', callId)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('call_legs')
              .select('id')
              .where('tenant_id', '=', tenantId)
              .where('call_id', '=', callId)
              .where('ended_at', 'is', null),
          ),
        ),
      )
      .execute();
  }

  /** Every call whose leg got this recording: the agent refused to record them. */
  async noteRefused(recordingId: string, reason: string): Promise<void> {
    await this.db
      .updateTable('calls')
      .set({ no_recording_reason: reason })
      .where(
        'id',
        'in',
        this.db.selectFrom('call_legs').select('call_id').where('recording_id', '=', recordingId),
      )
      .execute();
  }

  /** What the audio job needs of a call. */
  forAudio(tenantId: string, callId: string) {
    return this.db
      .selectFrom('calls')
      .select(['id', 'external_call_id', 'started_at', 'ended_at', 'audio_key', 'extension', 'direction'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', callId)
      .executeTakeFirst();
  }

  async noteEndReason(tenantId: string, callId: string, reason: string): Promise<void> {
    await this.db
      .updateTable('calls')
      .set({ end_reason: reason.slice(0, 500) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', callId)
      .execute();
  }

  async noteAudioFetch(tenantId: string, callId: string, answer: string): Promise<void> {
    await this.db
      .updateTable('calls')
      .set({ audio_fetch: answer.slice(0, 500) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', callId)
      .execute();
  }

  async setAudio(tenantId: string, callId: string, key: string, targetId: string): Promise<void> {
    await this.db
      .updateTable('calls')
      .set({ audio_key: key, audio_target_id: targetId })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', callId)
      .execute();
  }
}
