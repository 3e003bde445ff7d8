import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type Logger, type StorageTarget, TOKENS } from '@deskrec/core';
import type { AuditRepo } from '../db/repos/audit.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import { hashObject } from './hash-object.js';

/** A stored segment as playback knows it: where it is and what was recorded at upload. */
export interface RecordedSegment {
  tenantId: string;
  callId: string;
  segmentId: string;
  key: string;
  bytes: number;
  sha256: string;
}

export const CHANGED_MESSAGE =
  'This segment was changed after recording: its bytes in storage do not match the SHA-256 recorded at upload';

/** How many segments found changed are remembered (a bound, not an expected number). */
const MAX_REMEMBERED = 10_000;

/**
 * Checks what playback reads against the SHA-256 recorded at upload. A full read is hashed on the way
 * and its last chunk held back until the hash is known, so a changed file never reaches the player whole.
 * A ranged read cannot be checked from its bytes, so its playback's first request starts a check of the
 * whole object in the background. A segment found changed is remembered: its later requests are refused.
 * Each finding writes one `recording.integrity-failed` audit row.
 */
@injectable()
export class SegmentIntegrity {
  private readonly changed = new Set<string>();
  private readonly running = new Map<string, Promise<boolean>>();

  constructor(
    @inject(HOST_TOKENS.AuditRepo) private readonly audit: AuditRepo,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  isChanged(segmentId: string): boolean {
    return this.changed.has(segmentId);
  }

  /** Passes a full read through, failing it in place of its last chunk when the bytes are not the recorded ones. */
  verifying(segment: RecordedSegment): Transform {
    const hash = createHash('sha256');
    let size = 0;
    let held: Buffer | undefined;
    const flag = (actual: { size: number; sha256: string }) => this.flag(segment, actual, 'playback');
    return new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        hash.update(chunk);
        size += chunk.length;
        const previous = held;
        held = chunk;
        callback(null, previous);
      },
      flush(callback: TransformCallback) {
        const sha256 = hash.digest('hex');
        if (size === segment.bytes && sha256 === segment.sha256) {
          callback(null, held);
          return;
        }
        flag({ size, sha256 }).then(
          () => callback(new Error(CHANGED_MESSAGE)),
          (error: unknown) => callback(error as Error),
        );
      },
    });
  }

  /** Checks the whole object unless a check of it is under way; resolves true when it matches. */
  check(segment: RecordedSegment, target: StorageTarget): Promise<boolean> {
    const running = this.running.get(segment.segmentId);
    if (running) return running;
    const work = hashObject(target, segment.key)
      .then(async (actual) => {
        if (actual.size === segment.bytes && actual.sha256 === segment.sha256) return true;
        await this.flag(segment, actual, 'background check');
        return false;
      })
      .finally(() => this.running.delete(segment.segmentId));
    this.running.set(segment.segmentId, work);
    return work;
  }

  /** `check` for a ranged playback: runs on its own, failures only logged. */
  checkInBackground(segment: RecordedSegment, target: StorageTarget): void {
    this.check(segment, target).catch((error: unknown) =>
      this.logger.warn(
        { segmentId: segment.segmentId, err: (error as Error).message },
        'Playback: background integrity check could not read the segment',
      ),
    );
  }

  private async flag(
    segment: RecordedSegment,
    actual: { size: number; sha256: string },
    via: string,
  ): Promise<void> {
    if (this.changed.size >= MAX_REMEMBERED) this.changed.clear();
    const first = !this.changed.has(segment.segmentId);
    this.changed.add(segment.segmentId);
    if (!first) return;
    this.logger.error(
      { segmentId: segment.segmentId, key: segment.key, expected: segment.sha256, actual: actual.sha256 },
      'Playback: a stored segment was changed after recording',
    );
    await this.audit.record(segment.tenantId, {
      actorUserId: null,
      action: 'recording.integrity-failed',
      targetType: 'call',
      targetId: segment.callId,
      detail: {
        segmentId: segment.segmentId,
        key: segment.key,
        via,
        expected: { bytes: segment.bytes, sha256: segment.sha256 },
        actual,
      },
      ip: null,
    });
  }
}
