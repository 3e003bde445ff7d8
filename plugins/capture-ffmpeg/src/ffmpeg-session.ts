import { type ChildProcessByStdio, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { CapturedSegment, CaptureEnd, CaptureSession, Clock, Logger } from '@deskrec/core';
import { fileDigest } from './file-digest.js';
import { probeMedia } from './media-probe.js';
import { writeRunningFile } from './running-file.js';
import { readNewLines } from './segment-list.js';
import { segmentNumber } from './segment-names.js';
import { StderrTail } from './stderr-tail.js';
import { type Watchdog, watchProcess } from './watchdog.js';

/** What one monitor's output writes: its segment list and the prefix of its segment files. */
export interface MonitorOutput {
  monitorId: string;
  listPath: string;
  filePrefix: string;
}

export interface SessionPlan {
  captureId: string;
  outputDir: string;
  ffmpegPath: string;
  args: string[];
  outputs: MonitorOutput[];
  /** Where the running ffmpeg's pid is kept while it runs (see running-file.ts). */
  runningFile: string;
  stopTimeoutMs: number;
  maxRecordingSeconds: number;
  logger: Logger;
  clock: Clock;
}

const LIST_POLL_MS = 250;
const KILL_GRACE_MS = 5000;
// ffmpeg's -t ends the capture; this is the backstop should ffmpeg hang instead.
const MAX_DURATION_GRACE_MS = 30000;

interface MonitorState extends MonitorOutput {
  offset: number;
  /** Seconds since the capture start at which the next segment begins. */
  nextStart: number;
  reported: Set<string>;
}

/**
 * One running ffmpeg process recording one or more monitors. Closed segments are found through the segment
 * lists ffmpeg appends to; when the process ends, files it never closed (a crash) are reported as well when
 * they hold at least one frame.
 */
export class FfmpegCaptureSession implements CaptureSession {
  readonly captureId: string;
  readonly ended: Promise<CaptureEnd>;
  private readonly child: ChildProcessByStdio<Writable, null, Readable>;
  private readonly startedAt: Date;
  private readonly tail = new StderrTail(20);
  private readonly monitors: MonitorState[];
  private readonly listeners: ((segment: CapturedSegment) => void)[] = [];
  private readonly backlog: CapturedSegment[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private work: Promise<void> = Promise.resolve();
  private stopRequested = false;
  private spawnError: Error | undefined;
  private resolveEnded!: (end: CaptureEnd) => void;
  private finishing = false;
  private readonly watchdog: Watchdog | undefined;

  constructor(private readonly plan: SessionPlan) {
    this.captureId = plan.captureId;
    this.ended = new Promise((resolve) => {
      this.resolveEnded = resolve;
    });
    this.monitors = plan.outputs.map((o) => ({
      ...o,
      offset: 0,
      nextStart: 0,
      reported: new Set(),
    }));
    this.startedAt = plan.clock.now();
    plan.logger.debug({ captureId: plan.captureId, args: plan.args }, 'starting ffmpeg');
    this.child = spawn(plan.ffmpegPath, plan.args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child.stdin.on('error', () => undefined); // EPIPE when ffmpeg is already gone
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => this.tail.push(chunk));
    this.child.on('error', (error) => {
      this.spawnError = error;
      if (this.child.pid === undefined) void this.finish(null, null);
    });
    this.child.on('close', (code, signal) => void this.finish(code, signal));
    const pid = this.child.pid;
    if (pid !== undefined) {
      this.watchdog = watchProcess(pid);
      const until = new Date(
        this.startedAt.getTime() + plan.maxRecordingSeconds * 1000 + MAX_DURATION_GRACE_MS,
      );
      this.enqueue(() =>
        writeRunningFile(plan.runningFile, {
          pid,
          startedAt: this.startedAt.toISOString(),
          until: until.toISOString(),
          outputDir: plan.outputDir,
          monitors: plan.outputs.map(({ monitorId, filePrefix }) => ({ monitorId, filePrefix })),
        }),
      );
    }
    const poll = setInterval(() => this.enqueue(() => this.readLists()), LIST_POLL_MS);
    const backstop = setTimeout(
      () => void this.stop(),
      plan.maxRecordingSeconds * 1000 + MAX_DURATION_GRACE_MS,
    );
    this.timers.push(poll, backstop);
  }

  /** The ffmpeg process id, e.g. for measuring its CPU time or killing it as a crash would. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  onSegment(listener: (segment: CapturedSegment) => void): void {
    this.listeners.push(listener);
    for (const segment of this.backlog.splice(0)) listener(segment);
  }

  stop(): Promise<CaptureEnd> {
    if (!this.stopRequested && !this.finishing) {
      this.stopRequested = true;
      // `q` on stdin is ffmpeg's own clean stop: every output is closed and it exits 0.
      this.child.stdin.write('q');
      const terminate = setTimeout(() => {
        this.plan.logger.warn({ captureId: this.captureId }, 'ffmpeg ignored q; terminating it');
        this.child.kill('SIGTERM');
        this.timers.push(setTimeout(() => this.child.kill('SIGKILL'), KILL_GRACE_MS));
      }, this.plan.stopTimeoutMs);
      this.timers.push(terminate);
    }
    return this.ended;
  }

  private enqueue(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((error: unknown) => {
      this.plan.logger.error({ captureId: this.captureId, err: String(error) }, 'segment reporting failed');
    });
  }

  private async readLists(): Promise<void> {
    for (const monitor of this.monitors) {
      const { lines, offset } = await readNewLines(monitor.listPath, monitor.offset);
      monitor.offset = offset;
      for (const line of lines) {
        const [file, start, end] = line.split(',');
        if (!file || end === undefined) continue;
        await this.report(monitor, path.join(this.plan.outputDir, file), Number(start), Number(end));
      }
    }
  }

  /** Files ffmpeg opened but never closed: what a crash leaves. Reported when they hold a frame. */
  private async reportUnclosed(): Promise<void> {
    const names = await fs.readdir(this.plan.outputDir).catch(() => [] as string[]);
    for (const monitor of this.monitors) {
      const files = names
        .filter((n) => n.startsWith(monitor.filePrefix) && n.endsWith('.mp4'))
        .map((n) => path.join(this.plan.outputDir, n))
        .filter((f) => !monitor.reported.has(f))
        .sort();
      for (const file of files) await this.report(monitor, file, monitor.nextStart, undefined);
    }
  }

  private async report(
    monitor: MonitorState,
    file: string,
    start: number,
    end: number | undefined,
  ): Promise<void> {
    if (monitor.reported.has(file)) return;
    monitor.reported.add(file);
    const info = await probeMedia(this.plan.ffmpegPath, file);
    if (!info) {
      // Stopped or killed before its first frame was written: nothing to play, nothing to upload.
      this.plan.logger.debug({ file }, 'dropping a segment without frames');
      await fs.rm(file, { force: true });
      return;
    }
    const durationMs = info.durationMs;
    const { bytes, sha256 } = await fileDigest(file);
    const segment: CapturedSegment = {
      captureId: this.captureId,
      // ffmpeg's own file counter: it names the file, so a restarted agent finds the same index in it.
      index: segmentNumber(file),
      monitorId: monitor.monitorId,
      path: file,
      startedAt: new Date(this.startedAt.getTime() + Math.round(start * 1000)),
      durationMs,
      bytes,
      sha256,
    };
    monitor.nextStart = end ?? start + durationMs / 1000;
    if (!this.listeners.length) this.backlog.push(segment);
    for (const listener of this.listeners) listener(segment);
  }

  private async finish(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.watchdog?.release();
    this.enqueue(() => this.readLists());
    this.enqueue(() => this.reportUnclosed());
    this.enqueue(async () => {
      await Promise.all(this.monitors.map((m) => fs.rm(m.listPath, { force: true })));
      await fs.rm(this.plan.runningFile, { force: true });
    });
    await this.work;
    const end = this.endOf(code, signal);
    this.plan.logger.info({ captureId: this.captureId, ...end }, 'capture ended');
    this.resolveEnded(end);
  }

  private endOf(code: number | null, signal: NodeJS.Signals | null): CaptureEnd {
    // After q, exit 0; after our own SIGTERM, ffmpeg still finalizes its files but exits 255.
    if (code === 0 || (this.stopRequested && (code === 255 || signal === 'SIGTERM')))
      return { reason: 'stopped' };
    const stderrTail = this.tail.get();
    if (this.spawnError)
      return { reason: 'failed', error: `ffmpeg did not start: ${this.spawnError.message}`, stderrTail };
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const last = stderrTail.at(-1);
    return { reason: 'failed', error: `ffmpeg ${how}${last && !signal ? `: ${last}` : ''}`, stderrTail };
  }
}
