import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

/** A stored object the portal may play: where it is, and what the audit row should name. */
export interface MediaObject {
  callId: string;
  media: 'audio' | 'screen';
  /** The segment id for screen video. */
  segmentId?: string;
  targetId: string | null;
  key: string;
  fileName: string;
  /** What was recorded at upload, for screen segments: playback checks the stored bytes against it. */
  recorded?: { bytes: number; sha256: string };
}

/** Where each stored object the portal plays lives; every lookup is scoped by tenant. */
@injectable()
export class MediaRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  /** The call's audio, when the call belongs to the tenant and has one. */
  async audio(tenantId: string, callId: string): Promise<MediaObject | undefined> {
    const call = await this.db
      .selectFrom('calls')
      .select(['id', 'audio_key', 'audio_target_id'])
      .where('tenant_id', '=', tenantId)
      .where('id', '=', callId)
      .executeTakeFirst();
    if (!call?.audio_key) return undefined;
    return {
      callId,
      media: 'audio',
      targetId: call.audio_target_id,
      key: call.audio_key,
      fileName: `call-${callId}-audio${/\.[A-Za-z0-9]+$/.exec(call.audio_key)?.[0] ?? ''}`,
    };
  }

  /** A stored segment of one of the call's recordings, within the tenant. */
  async segment(tenantId: string, callId: string, segmentId: string): Promise<MediaObject | undefined> {
    const row = await this.db
      .selectFrom('segments as s')
      .innerJoin('call_recordings as cr', (j) =>
        j.onRef('cr.recording_id', '=', 's.recording_id').onRef('cr.tenant_id', '=', 's.tenant_id'),
      )
      .select([
        's.id',
        's.idx',
        's.monitor_id',
        's.state',
        's.storage_key',
        's.storage_target_id',
        's.bytes',
        's.sha256',
      ])
      .where('s.tenant_id', '=', tenantId)
      .where('s.id', '=', segmentId)
      .where('cr.call_id', '=', callId)
      .executeTakeFirst();
    if (row?.state !== 'stored' || !row.storage_key) return undefined;
    return {
      callId,
      media: 'screen',
      segmentId: row.id,
      targetId: row.storage_target_id,
      key: row.storage_key,
      fileName: `call-${callId}-screen-${row.monitor_id}-${String(row.idx + 1).padStart(3, '0')}${
        /\.[A-Za-z0-9]+$/.exec(row.storage_key)?.[0] ?? '.mp4'
      }`.replace(/[^A-Za-z0-9._-]/g, '_'),
      recorded: { bytes: Number(row.bytes), sha256: row.sha256 },
    };
  }
}
