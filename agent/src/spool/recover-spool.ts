import path from 'node:path';
import type { CaptureBackend, Logger } from '@deskrec/core';
import type { Uploader } from '../upload/uploader.js';
import type { HostOutbox } from './host-outbox.js';
import { type Spool, segmentRecord } from './spool.js';

export interface RecoverSpoolOptions {
  spool: Spool;
  backend: CaptureBackend;
  uploader: Uploader;
  outbox: HostOutbox;
  logger: Logger;
  /** Captures running now: their folders are not touched. */
  active(): ReadonlySet<string>;
}

/**
 * Accounts for every file in the spool that no running capture owns: the backend ends what an earlier
 * agent process left running and reports the files nobody reported (with their own identity); those get a
 * sidecar like any reported segment. Files with nothing to play are reported to the host as discarded.
 * Then everything waiting is queued for upload.
 */
export async function recoverSpool(options: RecoverSpoolOptions): Promise<void> {
  const { spool, backend, uploader, outbox, logger } = options;
  // A folder the backend could not vouch for (its ffmpeg may still write) is left for the next pass.
  const skip = new Set(options.active());
  for (const left of await spool.leftCaptures(options.active())) {
    const { captureId } = left.capture;
    if (!backend.recover) continue;
    try {
      const recovered = await backend.recover({ captureId, outputDir: left.dir, known: left.known });
      for (const segment of recovered.segments) {
        await spool.addSegment(segmentRecord(segment), segment.path);
        logger.info(
          { captureId, file: segment.path, index: segment.index },
          'recovered a segment left by a crash',
        );
      }
      for (const file of recovered.discarded) {
        outbox.report({
          kind: 'file-discarded',
          captureId,
          fileName: path.basename(file.path),
          bytes: file.bytes,
          reason: `deleted after a crash: ${file.reason}`,
        });
      }
    } catch (error) {
      skip.add(captureId);
      logger.error(
        { captureId, err: (error as Error).message },
        'could not recover a capture folder; retried later',
      );
    }
  }
  try {
    for (const item of await spool.pending(skip)) uploader.enqueue(item);
  } catch (error) {
    logger.error({ err: (error as Error).message }, 'could not list the spool; retried later');
  }
}
