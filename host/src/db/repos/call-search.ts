import { type Kysely, sql } from 'kysely';
import { inject, injectable } from '../../di.js';
import { type ScreenState, screenStateOf } from '../../portal/screen-state.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { CallsTable, Database } from '../schema.js';

export interface CallFilter {
  from?: Date | undefined;
  to?: Date | undefined;
  userId?: string | undefined;
  phone?: string | undefined;
  direction?: CallsTable['direction'] | undefined;
  screen?: 'yes' | 'no' | undefined;
  limit: number;
  offset: number;
}

export interface CallListRow {
  id: string;
  startedAt: Date;
  endedAt: Date | null;
  direction: CallsTable['direction'];
  fromNumber: string | null;
  fromName: string | null;
  toNumber: string | null;
  toName: string | null;
  userName: string | null;
  extension: string | null;
  hasAudio: boolean;
  screen: ScreenState;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
/** A recording that produced (or is producing) video. */
const LIVE_STATES = ['recording', 'uploading', 'stored', 'failed'] as const;

/** What the portal's calls pages read: the list with filters, and one call with everything it links to. */
@injectable()
export class CallSearchRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  /** Calls of a tenant, newest first, with each call's screen-recording state. */
  async list(tenantId: string, filter: CallFilter): Promise<{ items: CallListRow[]; total: number }> {
    const { db } = this;
    let query = db
      .selectFrom('calls as c')
      .leftJoin('users as u', (j) =>
        j.onRef('u.id', '=', 'c.user_id').onRef('u.tenant_id', '=', 'c.tenant_id'),
      )
      .where('c.tenant_id', '=', tenantId);
    if (filter.from) query = query.where('c.started_at', '>=', filter.from);
    if (filter.to) query = query.where('c.started_at', '<', filter.to);
    if (filter.userId) query = query.where('c.user_id', '=', filter.userId);
    if (filter.direction) query = query.where('c.direction', '=', filter.direction);
    if (filter.phone) {
      const like = `%${escapeLike(filter.phone.trim())}%`;
      query = query.where((eb) =>
        eb.or([
          eb('c.from_number', 'like', like),
          eb('c.to_number', 'like', like),
          eb('c.extension', 'like', like),
        ]),
      );
    }
    if (filter.screen) {
      query = query.where((eb) => {
        const has = eb.exists(
          eb
            .selectFrom('call_recordings as cr')
            .innerJoin('recordings as r', 'r.id', 'cr.recording_id')
            .select(sql.lit(1).as('one'))
            .whereRef('cr.call_id', '=', 'c.id')
            .where('r.state', 'in', [...LIVE_STATES]),
        );
        return filter.screen === 'yes' ? has : eb.not(has);
      });
    }
    const [rows, count] = await Promise.all([
      query
        .select([
          'c.id',
          'c.started_at',
          'c.ended_at',
          'c.direction',
          'c.from_number',
          'c.from_name',
          'c.to_number',
          'c.to_name',
          'c.extension',
          'c.state',
          'c.no_recording_reason',
          'c.audio_key',
          'u.name as user_name',
        ])
        .orderBy('c.started_at', 'desc')
        .orderBy('c.id')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const ids = rows.map((r) => r.id);
    const recordings = ids.length
      ? await db
          .selectFrom('call_recordings as cr')
          .innerJoin('recordings as r', 'r.id', 'cr.recording_id')
          .select(['cr.call_id', 'r.state'])
          .where('cr.tenant_id', '=', tenantId)
          .where('cr.call_id', 'in', ids)
          .execute()
      : [];
    const legs = ids.length
      ? await db
          .selectFrom('call_legs')
          .select(['call_id', 'no_recording_reason'])
          .where('tenant_id', '=', tenantId)
          .where('call_id', 'in', ids)
          .execute()
      : [];
    return {
      total: Number(count.n),
      items: rows.map((r) => ({
        id: r.id,
        startedAt: new Date(r.started_at),
        endedAt: r.ended_at ? new Date(r.ended_at) : null,
        direction: r.direction,
        fromNumber: r.from_number,
        fromName: r.from_name,
        toNumber: r.to_number,
        toName: r.to_name,
        userName: r.user_name,
        extension: r.extension,
        hasAudio: Boolean(r.audio_key),
        screen: screenStateOf({
          recordingStates: recordings.filter((x) => x.call_id === r.id).map((x) => x.state),
          callState: r.state,
          callReason: r.no_recording_reason,
          legReasons: legs.filter((l) => l.call_id === r.id).map((l) => l.no_recording_reason),
        }),
      })),
    };
  }

  /** Everything the call page shows: the call, its user, recordings with workstations, segments and legs. */
  async load(tenantId: string, callId: string) {
    const { db } = this;
    const call = await db
      .selectFrom('calls as c')
      .leftJoin('users as u', (j) =>
        j.onRef('u.id', '=', 'c.user_id').onRef('u.tenant_id', '=', 'c.tenant_id'),
      )
      .selectAll('c')
      .select(['u.name as user_name', 'u.screen_recording_login as user_login'])
      .where('c.tenant_id', '=', tenantId)
      .where('c.id', '=', callId)
      .executeTakeFirst();
    if (!call) return undefined;
    const recordings = await db
      .selectFrom('call_recordings as cr')
      .innerJoin('recordings as r', 'r.id', 'cr.recording_id')
      .leftJoin('workstations as w', (j) =>
        j.onRef('w.id', '=', 'r.workstation_id').onRef('w.tenant_id', '=', 'r.tenant_id'),
      )
      .select([
        'r.id',
        'r.state',
        'r.started_at',
        'r.ended_at',
        'r.end_reason',
        'r.workstation_id',
        'w.computer_name',
        'w.domain',
      ])
      .where('cr.tenant_id', '=', tenantId)
      .where('cr.call_id', '=', callId)
      .orderBy('r.started_at')
      .execute();
    const segments = recordings.length
      ? await db
          .selectFrom('segments')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where(
            'recording_id',
            'in',
            recordings.map((r) => r.id),
          )
          .orderBy('started_at')
          .orderBy('monitor_id')
          .execute()
      : [];
    const legs = await db
      .selectFrom('call_legs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('call_id', '=', callId)
      .execute();
    return { call, recordings, segments, legs };
  }
}

export type LoadedCall = NonNullable<Awaited<ReturnType<CallSearchRepo['load']>>>;
