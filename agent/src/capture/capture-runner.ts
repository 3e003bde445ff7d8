import type {
  AgentMessageBody,
  CaptureBackend,
  CapturedSegment,
  CaptureSession,
  HostMessage,
  Logger,
} from '@deskrec/core';
import { type Spool, segmentRecord } from '../spool/spool.js';
import type { SpoolHealth } from '../spool/spool-health.js';
import type { Uploader } from '../upload/uploader.js';
import { freeMb } from './disk-space.js';

type Send = (message: AgentMessageBody) => boolean;
type StartMessage = Extract<HostMessage, { type: 'capture.start' }>;

export interface CaptureRunnerOptions {
  backend: CaptureBackend;
  spool: Spool;
  uploader: Uploader;
  logger: Logger;
  send: Send;
  minFreeDiskMb: number;
  /** The upload base URL the host announced (or the controller's web address). */
  uploadUrl: () => string;
  diskCheckMs?: number;
  health: SpoolHealth;
  /**
   * Accounts for files no running capture owns (see recoverSpool): before a capture reuses its folder, and
   * after one whose files could not all be spooled.
   */
  recover(): Promise<void>;
}

/**
 * Runs at most one capture at a time, as the host commands. Every finished segment goes to the spool,
 * is reported to the host and queued for upload; nothing is deleted before the host confirms it.
 */
export class CaptureRunner {
  private session: CaptureSession | undefined;
  private diskWatch: NodeJS.Timeout | undefined;
  /** Set when the agent itself ends a capture as failed (e.g. disk full), so the host hears why. */
  private failure: string | undefined;
  /** A segment of the running capture could not be spooled: its folder is recovered once it ended. */
  private spoolFailed = false;

  constructor(private readonly options: CaptureRunnerOptions) {}

  get activeCaptureId(): string | undefined {
    return this.session?.captureId;
  }

  async start(message: StartMessage): Promise<void> {
    const { logger, send, spool, backend } = this.options;
    if (this.session?.captureId === message.captureId) return;
    if (this.session) await this.stop('replaced by a new capture');
    const free = await freeMb(spool.root).catch(() => Number.POSITIVE_INFINITY);
    if (free < this.options.minFreeDiskMb) {
      const reason = `only ${Math.floor(free)} MiB free in ${spool.root}; captures need ${this.options.minFreeDiskMb} MiB`;
      logger.error({ captureId: message.captureId }, reason);
      send({ type: 'capture.refused', captureId: message.captureId, reason });
      return;
    }
    const monitors = (await backend.probeMonitors().catch(() => [])).map((m) => m.id);
    // A folder of this capture left by an earlier process is accounted for before ffmpeg writes into it.
    if (await spool.hasCapture(message.captureId)) await this.options.recover();
    let outputDir: string;
    let firstIndex: number;
    try {
      outputDir = await spool.beginCapture({
        captureId: message.captureId,
        recordingId: message.recordingId,
        uploadToken: message.uploadToken,
        uploadUrl: this.options.uploadUrl(),
        startedAt: new Date().toISOString(),
        monitors,
      });
      firstIndex = await spool.nextIndex(message.captureId);
    } catch (error) {
      // A spool that cannot be written refuses the capture; the agent runs on and tries again next call.
      this.options.health.failed(error, 'starting a capture');
      const reason = `the spool cannot take the capture: ${(error as Error).message}`;
      logger.error({ captureId: message.captureId }, reason);
      send({ type: 'capture.refused', captureId: message.captureId, reason });
      return;
    }
    let session: CaptureSession;
    try {
      session = await backend.start({
        captureId: message.captureId,
        settings: message.settings,
        outputDir,
        ...(firstIndex > 0 ? { firstIndex } : {}),
      });
    } catch (error) {
      send({
        type: 'capture.failed',
        captureId: message.captureId,
        error: (error as Error).message,
        stderrTail: [],
      });
      return;
    }
    this.session = session;
    this.failure = undefined;
    this.spoolFailed = false;
    send({ type: 'capture.started', captureId: message.captureId, startedAt: new Date().toISOString() });
    logger.info({ captureId: message.captureId, recordingId: message.recordingId }, 'capture started');
    // The host must hear of every segment before it hears the capture ended.
    const spooling = new Set<Promise<void>>();
    session.onSegment((segment) => {
      const work = this.spoolSegment(segment).catch((error: Error) => {
        this.spoolFailed = true;
        this.options.health.failed(error, `spooling ${segment.path}`);
        logger.error(
          { captureId: segment.captureId, file: segment.path, err: error.message },
          'could not spool a segment; it is recovered once the capture ended',
        );
      });
      spooling.add(work);
      void work.finally(() => spooling.delete(work));
    });
    this.diskWatch = setInterval(() => void this.checkDisk(session), this.options.diskCheckMs ?? 5000);
    this.diskWatch.unref();
    void session.ended.then(async (end) => {
      await Promise.all(spooling);
      this.ended(session, end);
      if (this.spoolFailed) await this.options.recover();
    });
  }

  /** Stops the running capture (only `captureId` when given); the last segment is finalized. */
  async stop(reason: string, captureId?: string): Promise<void> {
    const session = this.session;
    if (!session || (captureId && session.captureId !== captureId)) return;
    this.options.logger.info({ captureId: session.captureId, reason }, 'stopping capture');
    clearInterval(this.diskWatch);
    await session.stop();
    await session.ended;
  }

  private async spoolSegment(segment: CapturedSegment): Promise<void> {
    const record = segmentRecord(segment);
    const spooled = await this.options.spool.addSegment(record, segment.path);
    this.options.send({ type: 'capture.segment', captureId: segment.captureId, segment: record });
    this.options.uploader.enqueue(spooled);
  }

  private async checkDisk(session: CaptureSession): Promise<void> {
    const left = await freeMb(this.options.spool.root).catch(() => Number.POSITIVE_INFINITY);
    if (left >= this.options.minFreeDiskMb || this.session !== session) return;
    this.failure = `disk almost full (${Math.floor(left)} MiB free, floor ${this.options.minFreeDiskMb} MiB)`;
    this.options.logger.error({ captureId: session.captureId }, `${this.failure}; stopping the capture`);
    await this.stop(this.failure);
  }

  private ended(session: CaptureSession, end: Awaited<CaptureSession['ended']>): void {
    if (this.session === session) this.session = undefined;
    clearInterval(this.diskWatch);
    const { send, logger } = this.options;
    const error = end.reason === 'failed' ? (end.error ?? 'capture failed') : this.failure;
    if (error) {
      send({ type: 'capture.failed', captureId: session.captureId, error, stderrTail: end.stderrTail ?? [] });
    } else {
      send({
        type: 'capture.stopped',
        captureId: session.captureId,
        stoppedAt: new Date().toISOString(),
        reason: 'stopped',
      });
    }
    logger.info({ captureId: session.captureId, reason: end.reason, error }, 'capture ended');
  }
}
