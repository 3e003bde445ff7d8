import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@deskrec/core';
import * as tus from 'tus-js-client';
import { type DetailedError, Upload, type UrlStorage } from 'tus-js-client';
import { Backoff } from '../controller/backoff.js';
import type { Spool, SpooledSegment } from '../spool/spool.js';
import { throttledHttpStack } from './throttled-http-stack.js';

export interface UploaderOptions {
  spool: Spool;
  logger: Logger;
  maxKbps: number;
  retryMaxSeconds: number;
  /** Where tus keeps upload URLs so an interrupted upload resumes after a restart. */
  stateDir: string;
  /** A file the host refuses for good was set aside (see Spool.setAside); the host should hear why. */
  onSetAside?(item: SpooledSegment, reason: string): void;
  /**
   * The host received the file (`inStorage`: and it is in the storage target already). Until a host says
   * it is stored, the file stays in the spool (see Spool.markSent). Without it (an uploader with no
   * controller channel to hear `segment.stored` on) the file is deleted once the host received it.
   */
  onReceived?(item: SpooledSegment, inStorage: boolean): Promise<void>;
  /** A queued file is no longer in the spool (removed by someone else): it leaves the queue. */
  onGone?(item: SpooledSegment): void;
}

/** How one upload ended: the host has the bytes, or it holds another file under this segment's identity. */
type Outcome = { stored: true; already?: boolean; inStorage?: boolean } | { stored: false; reason: string };

/** The host's 409: this segment is already stored (or received); `sameContent` says whether it is this file. */
function conflictOf(error: unknown): Outcome | undefined {
  const response = (error as DetailedError).originalResponse;
  const status = response?.getStatus();
  if (status !== 409 && status !== 401) return undefined;
  let body: { error?: { message?: string; sameContent?: boolean; inStorage?: boolean } } = {};
  try {
    body = JSON.parse(response?.getBody() || '{}');
  } catch {}
  // An expired token never works again: the file is kept aside and reported, not retried forever. Any
  // other 401 may pass (a host that lost and rebuilds its rows), so it is retried.
  if (status === 401) {
    const message = body.error?.message ?? '';
    return message.startsWith('the upload token expired') ? { stored: false, reason: message } : undefined;
  }
  const message = body.error?.message ?? 'the host already has this segment';
  return body.error?.sameContent
    ? { stored: true, already: true, inStorage: body.error.inStorage === true }
    : { stored: false, reason: message };
}

export interface UploadProgress {
  file: string;
  bytesSent: number;
  bytesTotal: number;
}

/** The path on the host's web port that accepts segment uploads (tus protocol). */
export const UPLOAD_PATH = '/api/uploads/';

/**
 * Uploads spooled segments one at a time with the tus protocol: resumable from the offset the host has,
 * checksummed (the host verifies the SHA-256 before it confirms), retried with backoff until the host has
 * the file. A received file is kept until the host says it is in storage (`segment.stored`).
 */
export class Uploader {
  private readonly queue: SpooledSegment[] = [];
  private readonly queued = new Set<string>();
  private running = false;
  private stopped = false;
  private current: Upload | undefined;
  private wake: (() => void) | undefined;
  private readonly backoff: Backoff;
  private readonly urlStorage: UrlStorage;
  progress: UploadProgress | undefined;

  constructor(private readonly options: UploaderOptions) {
    this.backoff = new Backoff(1000, options.retryMaxSeconds * 1000);
    fs.mkdirSync(options.stateDir, { recursive: true, mode: 0o700 });
    // FileUrlStorage exists in tus-js-client's Node build but is missing from its type declarations.
    const { FileUrlStorage } = tus as unknown as { FileUrlStorage: new (file: string) => UrlStorage };
    this.urlStorage = new FileUrlStorage(path.join(options.stateDir, 'tus-urls.json'));
  }

  get pendingCount(): number {
    return this.queue.length + (this.progress ? 1 : 0);
  }

  enqueue(item: SpooledSegment): void {
    if (this.queued.has(item.path) || this.stopped) return;
    this.queued.add(item.path);
    this.queue.push(item);
    this.wake?.();
    if (!this.running) void this.loop();
  }

  /** Resolves when everything queued so far is uploaded (for tests and clean shutdown). */
  async drained(): Promise<void> {
    while (this.pendingCount > 0 && !this.stopped) await new Promise((r) => setTimeout(r, 100));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.abort(false).catch(() => undefined);
    this.wake?.();
  }

  private async loop(): Promise<void> {
    this.running = true;
    while (!this.stopped && this.queue.length) {
      const item = this.queue[0]!;
      try {
        const outcome = await this.upload(item);
        this.queue.shift();
        this.queued.delete(item.path);
        this.backoff.reset();
        if (outcome.stored) {
          if (this.options.onReceived) await this.options.onReceived(item, outcome.inStorage === true);
          else await this.options.spool.remove(item);
          this.options.logger.info(
            { file: item.segment.fileName, bytes: item.segment.bytes, already: outcome.already },
            outcome.already
              ? 'the host already has this segment'
              : 'segment uploaded; kept until the host stores it',
          );
        } else {
          const target = await this.options.spool.setAside(item);
          this.options.logger.error(
            { file: item.segment.fileName, keptAt: target, reason: outcome.reason },
            'the host refuses this segment for good; the file is kept aside',
          );
          this.options.onSetAside?.(item, outcome.reason);
        }
      } catch (error) {
        if (this.stopped) break;
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(item.path)) {
          this.queue.shift();
          this.queued.delete(item.path);
          await this.options.spool.remove(item);
          this.options.logger.error(
            { file: item.segment.fileName },
            'a queued segment file vanished from the spool',
          );
          this.options.onGone?.(item);
          continue;
        }
        const delay = this.backoff.next();
        this.options.logger.warn(
          { file: item.segment.fileName, err: (error as Error).message, retryInMs: delay },
          'upload failed; the file stays in the spool and is retried',
        );
        // Try others meanwhile: one failing file must not hold up the rest.
        this.queue.push(this.queue.shift()!);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      } finally {
        this.progress = undefined;
      }
    }
    this.running = false;
  }

  private async forget(fingerprint: string): Promise<void> {
    for (const previous of await this.urlStorage.findUploadsByFingerprint(fingerprint))
      await this.urlStorage.removeUpload(previous.urlStorageKey);
  }

  private upload(item: SpooledSegment): Promise<Outcome> {
    const { capture, segment } = item;
    // Relative to the upload URL, so a host behind a path prefix (https://proxy/deskrec) keeps it.
    const base = capture.uploadUrl.endsWith('/') ? capture.uploadUrl : `${capture.uploadUrl}/`;
    const endpoint = new URL(UPLOAD_PATH.slice(1), base).toString();
    const fingerprint = `deskrec-${segment.captureId}-${segment.monitorId}-${segment.index}-${segment.sha256}`;
    return new Promise((resolve, reject) => {
      // A file that vanished from the spool must fail this attempt, not the agent (unhandled 'error').
      const source = fs.createReadStream(item.path).once('error', reject);
      const upload = new Upload(source, {
        endpoint,
        headers: { Authorization: `Bearer ${capture.uploadToken}` },
        metadata: {
          captureId: segment.captureId,
          recordingId: capture.recordingId,
          monitorId: segment.monitorId,
          index: String(segment.index),
          sha256: segment.sha256,
          bytes: String(segment.bytes),
          startedAt: segment.startedAt,
          durationMs: String(segment.durationMs),
          filename: segment.fileName,
        },
        uploadSize: segment.bytes,
        urlStorage: this.urlStorage,
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        fingerprint: async () => fingerprint,
        // Our own loop retries with backoff forever; tus retries quickly within one attempt.
        retryDelays: [0, 1000, 3000],
        // A 409 is the host's final word on this segment (tus would retry it).
        onShouldRetry: (error) => {
          const status = error.originalResponse?.getStatus() ?? 0;
          return status !== 409 && (status < 400 || status >= 500 || status === 423);
        },
        httpStack: throttledHttpStack(this.options.maxKbps),
        onProgress: (sent, total) => {
          this.progress = { file: segment.fileName, bytesSent: sent, bytesTotal: total };
        },
        onError: (error) => {
          const conflict = conflictOf(error);
          if (conflict) {
            // The stale resume URL would only meet the same answer.
            void this.forget(fingerprint).catch(() => undefined);
            resolve(conflict);
          } else reject(error);
        },
        onSuccess: () => resolve({ stored: true }),
      });
      this.current = upload;
      upload
        .findPreviousUploads()
        .then((previous) => {
          if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
          upload.start();
        })
        .catch(reject);
    });
  }
}
