import { randomUUID } from 'node:crypto';
import type { CallEvent } from '@deskrec/core';
import { type Insertable, type Kysely, sql } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { CallLeg, Database } from '../schema.js';

/** What a new capture adds to its first leg's statement: its recording row and its max-duration stop. */
export interface NewCaptureRows {
  recording: Insertable<Database['recordings']>;
  job: { kind: string; payload: Record<string, unknown>; runAfter: Date };
}

/** A leg still waiting for its agent to become reachable, with what starting a capture for it needs. */
export type WaitingLeg = CallLeg & {
  screen_recording_login: string | null;
  external_call_id: string;
  source_id: string;
};

/** Call legs: one agent on one call, with the capture (or the reason for none) it got. */
@injectable()
export class CallLegsRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  /**
   * Inserts the leg unless it is on record already (false then) and, in the same statement, what goes with
   * it: the call's link to the leg's recording and, for a new capture, the recording itself (written even
   * when the leg is not, so the stop that follows finds it) and its max-duration stop. One statement
   * instead of up to four: at hundreds of calls a second the embedded database's cost is per statement.
   */
  async insert(leg: CallLeg, capture?: NewCaptureRows): Promise<boolean> {
    const { db } = this;
    const insertLeg = db
      .insertInto('call_legs')
      .values(leg)
      .onConflict((oc) => oc.columns(['tenant_id', 'call_id', 'agent_by', 'agent_value']).doNothing())
      .returning(['id', 'tenant_id', 'call_id', 'recording_id']);
    if (!leg.recording_id) return (await insertLeg.executeTakeFirst()) !== undefined;
    const linked = db
      .with('leg', () => insertLeg)
      .with('link', (q) =>
        q
          .insertInto('call_recordings')
          .columns(['tenant_id', 'call_id', 'recording_id'])
          .expression((eb) =>
            eb
              .selectFrom('leg')
              .select(['leg.tenant_id', 'leg.call_id', sql<string>`leg.recording_id`.as('r')]),
          )
          .onConflict((oc) => oc.doNothing())
          .returning('call_id'),
      );
    if (!capture) return (await linked.selectFrom('leg').select('leg.id').executeTakeFirst()) !== undefined;
    const { job } = capture;
    const row = await linked
      .with('recording', (q) => q.insertInto('recordings').values(capture.recording).returning('id'))
      .with('stop', (q) =>
        q
          .insertInto('jobs')
          .columns(['tenant_id', 'kind', 'payload', 'run_after'])
          .expression((eb) =>
            eb
              .selectFrom('leg')
              .select([
                'leg.tenant_id',
                sql<string>`${job.kind}::text`.as('kind'),
                sql<string>`${JSON.stringify(job.payload)}::jsonb`.as('payload'),
                sql<Date>`${job.runAfter}::timestamptz`.as('run_after'),
              ]),
          )
          .returning('id'),
      )
      .selectFrom('leg')
      .select('leg.id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** A leg whose end came before any start: on record, so a late start is recognised. */
  async insertEnded(
    tenantId: string,
    callId: string,
    event: CallEvent,
    userId: string | null,
    reason: string,
  ): Promise<void> {
    await this.db
      .insertInto('call_legs')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        call_id: callId,
        agent_by: event.agent.by,
        agent_value: event.agent.value,
        user_id: userId,
        started_at: null,
        ended_at: event.at,
        recording_id: null,
        no_recording_reason: reason,
      })
      .execute();
  }

  /**
   * Ends the event's leg if it is on record and open, found through its call in the same statement (the
   * usual end: one statement instead of three). Undefined when there is no such leg.
   */
  closeOpen(tenantId: string, sourceId: string, event: CallEvent): Promise<CallLeg | undefined> {
    return this.db
      .updateTable('call_legs')
      .set({ ended_at: event.at })
      .where('tenant_id', '=', tenantId)
      .where('agent_by', '=', event.agent.by)
      .where('agent_value', '=', event.agent.value)
      .where('ended_at', 'is', null)
      .where('call_id', 'in', (eb) =>
        eb
          .selectFrom('calls')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('source_id', '=', sourceId)
          .where('external_call_id', '=', event.callId),
      )
      .returningAll()
      .executeTakeFirst();
  }

  find(tenantId: string, callId: string, agent: CallEvent['agent']): Promise<CallLeg | undefined> {
    return this.db
      .selectFrom('call_legs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('call_id', '=', callId)
      .where('agent_by', '=', agent.by)
      .where('agent_value', '=', agent.value)
      .executeTakeFirst();
  }

  async setStartedAt(legId: string, at: Date): Promise<void> {
    await this.db.updateTable('call_legs').set({ started_at: at }).where('id', '=', legId).execute();
  }

  async setNoRecording(legId: string, reason: string): Promise<void> {
    await this.db
      .updateTable('call_legs')
      .set({ no_recording_reason: reason })
      .where('id', '=', legId)
      .execute();
  }

  /** The leg joins a recording: the leg, the call's link to it, and the call no longer says "not recorded". */
  async link(leg: CallLeg, recordingId: string): Promise<void> {
    const { db } = this;
    await db
      .updateTable('call_legs')
      .set({ recording_id: recordingId, no_recording_reason: null })
      .where('id', '=', leg.id)
      .execute();
    await db
      .insertInto('call_recordings')
      .values({ tenant_id: leg.tenant_id, call_id: leg.call_id, recording_id: recordingId })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db.updateTable('calls').set({ no_recording_reason: null }).where('id', '=', leg.call_id).execute();
  }

  async hasOpen(tenantId: string, recordingId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('call_legs')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('recording_id', '=', recordingId)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The latest end among the recording's legs (phone-system time). */
  async lastEnd(tenantId: string, recordingId: string): Promise<Date | undefined> {
    const row = await this.db
      .selectFrom('call_legs')
      .select('ended_at')
      .where('tenant_id', '=', tenantId)
      .where('recording_id', '=', recordingId)
      .where('ended_at', 'is not', null)
      .orderBy('ended_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.ended_at ? new Date(row.ended_at) : undefined;
  }

  /** Whether a leg of the recording ended after `at` (phone-system times only). */
  async endedAfter(tenantId: string, recordingId: string, at: Date): Promise<boolean> {
    const row = await this.db
      .selectFrom('call_legs')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('recording_id', '=', recordingId)
      .where('ended_at', '>', at)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Open legs that got no capture because their agent was not reachable then. */
  waiting(tenantId: string): Promise<WaitingLeg[]> {
    return this.db
      .selectFrom('call_legs')
      .innerJoin('users', (j) =>
        j.onRef('users.tenant_id', '=', 'call_legs.tenant_id').onRef('users.id', '=', 'call_legs.user_id'),
      )
      .innerJoin('calls', 'calls.id', 'call_legs.call_id')
      .selectAll('call_legs')
      .select(['users.screen_recording_login', 'calls.external_call_id', 'calls.source_id'])
      .where('call_legs.tenant_id', '=', tenantId)
      .where('call_legs.ended_at', 'is', null)
      .where('call_legs.recording_id', 'is', null)
      .where('call_legs.no_recording_reason', 'in', ['no-workstation', 'agent-offline'])
      .execute();
  }

  /** The tenant's open legs with their call and the workstation of their recording (memory's start-up read). */
  open(tenantId: string) {
    return this.db
      .selectFrom('call_legs')
      .innerJoin('calls', 'calls.id', 'call_legs.call_id')
      .leftJoin('recordings', 'recordings.id', 'call_legs.recording_id')
      .select([
        'calls.source_id',
        'calls.external_call_id',
        'call_legs.agent_by',
        'call_legs.agent_value',
        'call_legs.recording_id',
        'recordings.workstation_id',
      ])
      .where('call_legs.tenant_id', '=', tenantId)
      .where('call_legs.ended_at', 'is', null)
      .execute();
  }

  /** A source said the agent is still on the call: an event for it arrived, or a reconcile kept it. */
  async confirm(
    tenantId: string,
    sourceId: string,
    externalCallId: string,
    agent: CallEvent['agent'] | undefined,
    at: Date,
  ): Promise<void> {
    let query = this.db
      .updateTable('call_legs')
      .set({ confirmed_at: at })
      .where('tenant_id', '=', tenantId)
      .where('ended_at', 'is', null)
      .where('call_id', 'in', (eb) =>
        eb
          .selectFrom('calls')
          .select('id')
          .where('tenant_id', '=', tenantId)
          .where('source_id', '=', sourceId)
          .where('external_call_id', '=', externalCallId),
      );
    if (agent) query = query.where('agent_by', '=', agent.by).where('agent_value', '=', agent.value);
    await query.execute();
  }

  /** Open legs of a source that nothing confirmed since `before` (the host writes each leg confirmed). */
  unconfirmed(tenantId: string, sourceId: string, before: Date) {
    return this.db
      .selectFrom('call_legs')
      .innerJoin('calls', 'calls.id', 'call_legs.call_id')
      .select([
        'calls.id as call_id',
        'calls.external_call_id',
        'call_legs.agent_by',
        'call_legs.agent_value',
        'call_legs.confirmed_at',
        'call_legs.started_at',
      ])
      .where('call_legs.tenant_id', '=', tenantId)
      .where('calls.source_id', '=', sourceId)
      .where('call_legs.ended_at', 'is', null)
      .where('call_legs.confirmed_at', '<', before)
      .execute();
  }

  /** The legs of some calls, for the calls list and page. */
  ofCalls(tenantId: string, callIds: string[]): Promise<CallLeg[]> {
    if (!callIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('call_legs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('call_id', 'in', callIds)
      .execute();
  }
}
