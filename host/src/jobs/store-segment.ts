import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { isStorageError, type Logger, TOKENS } from '@deskrec/core';
import type { RecordingsRepo } from '../db/repos/recordings.js';
import type { SegmentsRepo } from '../db/repos/segments.js';
import type { SettingsRepo } from '../db/repos/settings.js';
import type { Job } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import type { SealRecordingJob } from '../integrity/seal-recording.js';
import type { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';
import type { SegmentNotices } from '../uploads/segment-notices.js';
import { RetryLater } from './job-runner.js';
import { segmentKey } from './segment-key.js';
import { storeNew } from './store-new.js';

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

/** Moves one spooled segment to the tenant's storage target under its template name, then frees the spool. */
@injectable()
export class StoreSegmentJob {
  constructor(
    @inject(HOST_TOKENS.SegmentsRepo) private readonly segments: SegmentsRepo,
    @inject(HOST_TOKENS.SettingsRepo) private readonly settings: SettingsRepo,
    @inject(HOST_TOKENS.RecordingsRepo) private readonly recordings: RecordingsRepo,
    @inject(HOST_TOKENS.TargetResolver) private readonly targets: TargetResolver,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(HOST_TOKENS.SealRecordingJob) private readonly sealer: SealRecordingJob,
    @inject(HOST_TOKENS.SegmentNotices) private readonly notices: SegmentNotices,
  ) {}

  readonly handle = async (job: Job): Promise<void> => {
    const tenantId = job.tenant_id;
    const segmentId = String((job.payload as { segmentId?: unknown }).segmentId ?? '');
    const segment = await this.segments.get(tenantId, segmentId);
    if (!segment || segment.state === 'stored') return;
    if (!segment.spool_path) throw new RetryLater(`segment ${segmentId} has no spooled file`, true);
    if (!(await exists(segment.spool_path))) {
      // The host's copy is gone (its disk lost or wiped) before it was stored: the agent still keeps its own.
      const reason = 'the host lost its copy before storing it; the agent uploads it again';
      await this.segments.setState(tenantId, segmentId, 'on-agent', reason);
      await this.notices.resend(tenantId, segmentId, reason);
      this.logger.warn({ segmentId }, reason);
      return;
    }
    const settings = await this.settings.get(tenantId);
    const { recording, call } = await this.recordings.templateFacts(tenantId, segment.recording_id);
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
      const { id: targetId, target } = await this.targets.forTenant(tenantId);
      // 1 MiB reads: fewer, larger chunks through the hash and the target's writer (with the 64 KiB default
      // an SFTP store to OpenSSH measured 0.55 of fastPut; storage-sftp BENCHMARKS.md).
      const spooled = segment.spool_path;
      const open = () => createReadStream(spooled, { highWaterMark: 1024 * 1024 });
      const result = await storeNew(target, key, open, {
        size: Number(segment.bytes),
        sha256: segment.sha256,
      });
      await this.segments.markStored(tenantId, segmentId, targetId, result.key, result.size, result.sha256);
      await fs.rm(segment.spool_path, { force: true });
      await this.segments.refreshRecordingState(tenantId, segment.recording_id);
      await this.notices.stored(tenantId, segmentId);
      await this.sealer.whenStored(tenantId, segment.recording_id);
      this.logger.info({ segmentId, targetId, key: result.key, bytes: result.size }, 'segment stored');
    } catch (error) {
      const message = (error as Error).message;
      await this.segments.noteError(tenantId, segmentId, message);
      throw new RetryLater(message, isStorageError(error) && !error.retryable);
    }
  };
}
