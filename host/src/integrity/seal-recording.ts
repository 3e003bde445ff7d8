import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { type Clock, type Logger, TOKENS } from '@deskrec/core';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { ManifestsRepo } from '../db/repos/manifests.js';
import type { SegmentsRepo } from '../db/repos/segments.js';
import type { SigningKeysRepo } from '../db/repos/signing-keys.js';
import type { Job, Segment } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import type { JobSignal } from '../jobs/job-signal.js';
import { storeNew } from '../jobs/store-new.js';
import type { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';
import { MANIFEST_FORMAT, type ManifestSegment, manifestBody, manifestFile, signBody } from './manifest.js';

export const SEAL_RECORDING_JOB = 'seal-recording';

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

function entryOf(segment: Segment): ManifestSegment {
  return {
    segmentId: segment.id,
    monitor: segment.monitor_id,
    index: segment.idx,
    key: segment.storage_key ?? '',
    storageTargetId: segment.storage_target_id,
    bytes: Number(segment.bytes),
    sha256: segment.sha256,
    startedAt: iso(segment.started_at)!,
    durationMs: segment.duration_ms,
    storedAt: iso(segment.stored_at),
  };
}

/** `a/b/c.mp4` → `a/b/<recording>.manifest.json`: next to the recording's first file. */
function manifestKeyOf(firstKey: string, recordingId: string): string {
  const slash = firstKey.lastIndexOf('/');
  return `${slash >= 0 ? firstKey.slice(0, slash + 1) : ''}${recordingId}.manifest.json`;
}

/**
 * Seals a stored recording: a manifest of its files (keys, sizes, SHA-256 as received at upload, times),
 * its call ids and tenant, signed with the host's Ed25519 key, stored next to the recording on its storage
 * target and in the database. A job, so a storage target that is down only delays it. Sealing again after
 * the recording reopened (a late segment) writes a new manifest beside the old one (`-2`), never over it.
 */
@injectable()
export class SealRecordingJob {
  constructor(
    @inject(HOST_TOKENS.ManifestsRepo) private readonly manifests: ManifestsRepo,
    @inject(HOST_TOKENS.SegmentsRepo) private readonly segments: SegmentsRepo,
    @inject(HOST_TOKENS.SigningKeysRepo) private readonly keys: SigningKeysRepo,
    @inject(HOST_TOKENS.JobsRepo) private readonly jobs: JobsRepo,
    @inject(HOST_TOKENS.JobSignal) private readonly signal: JobSignal,
    @inject(HOST_TOKENS.TargetResolver) private readonly targets: TargetResolver,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  /** Queues the seal once the recording is stored (every path that can complete one calls this). */
  async whenStored(tenantId: string, recordingId: string): Promise<void> {
    const facts = await this.manifests.sealFacts(tenantId, recordingId);
    if (facts?.state !== 'stored') return;
    await this.jobs.enqueue(tenantId, SEAL_RECORDING_JOB, { recordingId });
    this.signal.notify();
  }

  readonly handle = async (job: Job): Promise<void> => {
    const recordingId = String((job.payload as { recordingId?: unknown }).recordingId ?? '');
    await this.seal(job.tenant_id, recordingId);
  };

  /** Writes the manifest unless the latest one already lists exactly these files. */
  async seal(tenantId: string, recordingId: string): Promise<void> {
    const facts = await this.manifests.sealFacts(tenantId, recordingId);
    if (facts?.state !== 'stored') return;
    const rows = await this.segments.listForRecording(tenantId, recordingId);
    if (!rows.length || rows.some((s) => s.state !== 'stored' || !s.storage_key)) return;
    const entries = rows.map(entryOf);
    const existing = await this.manifests.get(tenantId, recordingId);
    if (existing && JSON.stringify(JSON.parse(existing.body).segments) === JSON.stringify(entries)) return;

    const key = await this.keys.active();
    const publicKey = (await this.keys.publicKey(key.id))!;
    const sealedAt = this.clock.now();
    const body = manifestBody({
      format: MANIFEST_FORMAT,
      tenant: { id: tenantId, slug: facts.slug },
      recordingId,
      callIds: facts.callIds,
      workstationId: facts.workstation_id,
      startedAt: iso(facts.started_at)!,
      endedAt: iso(facts.ended_at),
      sealedAt: sealedAt.toISOString(),
      segments: entries,
    });
    const signature = signBody(body, key.privateKey);
    const bytes = Buffer.from(manifestFile(JSON.parse(body), key.id, signature, publicKey));
    const first = rows[0]!;
    const { id: targetId, target } = first.storage_target_id
      ? await this.targets.byId(tenantId, first.storage_target_id)
      : await this.targets.forTenant(tenantId);
    const stored = await storeNew(
      target,
      manifestKeyOf(first.storage_key!, recordingId),
      () => Readable.from([bytes]),
      { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    );
    await this.manifests.save({
      tenant_id: tenantId,
      recording_id: recordingId,
      key_id: key.id,
      body,
      signature,
      storage_target_id: targetId,
      storage_key: stored.key,
      sealed_at: sealedAt,
    });
    this.logger.info({ recordingId, key: stored.key, keyId: key.id }, 'recording sealed');
  }
}
