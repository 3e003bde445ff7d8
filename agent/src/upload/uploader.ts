import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '@deskrec/core';
import * as tus from 'tus-js-client';
import { Upload, type UrlStorage } from 'tus-js-client';
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
 * the file. Only a confirmed file is deleted.
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
        await this.upload(item);
        this.queue.shift();
        this.queued.delete(item.path);
        await this.options.spool.remove(item);
        this.backoff.reset();
        this.options.logger.info(
          { file: item.segment.fileName, bytes: item.segment.bytes },
          'segment uploaded and confirmed',
        );
      } catch (error) {
        if (this.stopped) break;
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

  private upload(item: SpooledSegment): Promise<void> {
    const { capture, segment } = item;
    // Relative to the upload URL, so a host behind a path prefix (https://proxy/deskrec) keeps it.
    const base = capture.uploadUrl.endsWith('/') ? capture.uploadUrl : `${capture.uploadUrl}/`;
    const endpoint = new URL(UPLOAD_PATH.slice(1), base).toString();
    return new Promise((resolve, reject) => {
      const upload = new Upload(fs.createReadStream(item.path), {
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
        fingerprint: async () =>
          `deskrec-${segment.captureId}-${segment.monitorId}-${segment.index}-${segment.sha256}`,
        // Our own loop retries with backoff forever; tus retries quickly within one attempt.
        retryDelays: [0, 1000, 3000],
        httpStack: throttledHttpStack(this.options.maxKbps),
        onProgress: (sent, total) => {
          this.progress = { file: segment.fileName, bytesSent: sent, bytesTotal: total };
        },
        onError: reject,
        onSuccess: () => resolve(),
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
