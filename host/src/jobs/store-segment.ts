import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { isStorageError, type Logger } from '@deskrec/core';
import type { Kysely } from 'kysely';
import type { SettingsRepo } from '../db/repos/settings.js';
import type { Database, Job } from '../db/schema.js';
import type { SegmentsRepo } from '../recordings/segments-repo.js';
import type { TargetResolver } from '../storage/target-resolver.js';
import { RetryLater } from './job-runner.js';
import { segmentKey } from './segment-key.js';
import { storeNew } from './store-new.js';

export interface StoreSegmentDeps {
  db: Kysely<Database>;
  segments: SegmentsRepo;
  settings: SettingsRepo;
  targets: TargetResolver;
  logger: Logger;
}

/** Everything a file-name template may refer to, for one segment. */
async function templateFacts(db: Kysely<Database>, tenantId: string, recordingId: string) {
  const recording = await db
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
  const call = await db
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

/** Moves one spooled segment to the tenant's storage target under its template name, then frees the spool. */
export function storeSegmentHandler(deps: StoreSegmentDeps) {
  return async (job: Job): Promise<void> => {
    const tenantId = job.tenant_id;
    const segmentId = String((job.payload as { segmentId?: unknown }).segmentId ?? '');
    const segment = await deps.segments.get(tenantId, segmentId);
    if (!segment || segment.state === 'stored') return;
    if (!segment.spool_path) throw new RetryLater(`segment ${segmentId} has no spooled file`, true);
    const settings = await deps.settings.get(tenantId);
    const { recording, call } = await templateFacts(deps.db, tenantId, segment.recording_id);
    const key = segmentKey(settings.fileNameFormat, {
      'start-time': new Date(segment.started_at),
      ...(recording?.ended_at ? { 'end-time': new Date(recording.ended_at) } : {}),
      'recording-id': segment.recording_id,
      ...(call ? { 'call-id': call.external_call_id, direction: call.direction } : {}),
      ...(call?.extension ? { extension: call.extension } : {}),
      ...(recording?.slug ? { tenant: recording.slug } : {}),
      ...((recording?.screen_recording_login ?? recording?.login)
        ? { 'user-login': (recording?.screen_recording_login ?? recording?.login)! }
        : {}),
      ...(recording?.computer_name ? { workstation: recording.computer_name } : {}),
      segment: segment.idx,
      monitor: segment.monitor_id,
    });
    try {
      // Inside the try: a target that cannot even be created (deleted, bad options) is noted on the segment too.
      const { id: targetId, target } = await deps.targets.forTenant(tenantId);
      // 1 MiB reads: fewer, larger chunks through the hash and the target's writer (with the 64 KiB default
      // an SFTP store to OpenSSH measured 0.55 of fastPut; storage-sftp BENCHMARKS.md).
      const spooled = segment.spool_path;
      const open = () => createReadStream(spooled, { highWaterMark: 1024 * 1024 });
      const result = await storeNew(target, key, open, {
        size: Number(segment.bytes),
        sha256: segment.sha256,
      });
      await deps.segments.markStored(tenantId, segmentId, targetId, result.key, result.size, result.sha256);
      await fs.rm(segment.spool_path, { force: true });
      await deps.segments.refreshRecordingState(tenantId, segment.recording_id);
      deps.logger.info({ segmentId, targetId, key: result.key, bytes: result.size }, 'segment stored');
    } catch (error) {
      const message = (error as Error).message;
      await deps.segments.noteError(tenantId, segmentId, message);
      throw new RetryLater(message, isStorageError(error) && !error.retryable);
    }
  };
}
