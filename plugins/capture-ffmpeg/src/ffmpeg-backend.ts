import fs from 'node:fs/promises';
import path from 'node:path';
import {
  type CaptureBackend,
  type CaptureCapabilities,
  type CaptureRequest,
  type CaptureSession,
  type Clock,
  type Logger,
  type Monitor,
  silentLogger,
  systemClock,
} from '@deskrec/core';
import { outputArgs } from './encode-args.js';
import { CaptureSetupError } from './errors.js';
import type { FfmpegBinary } from './ffmpeg-binary.js';
import { FfmpegCaptureSession, type MonitorOutput } from './ffmpeg-session.js';
import { monitorInput } from './inputs.js';
import { type ProbedMonitor, publicMonitor } from './monitor-types.js';
import { probeMonitors } from './monitors.js';
import type { FfmpegCaptureOptions, InputKind } from './options.js';
import { recoverCapture } from './recovery.js';
import { runCommand } from './run-command.js';
import { monitorFilePrefix, runningFileName } from './segment-names.js';

export interface BackendDeps {
  logger?: Logger;
  clock?: Clock;
  /** Aborting it stops every running capture. */
  signal?: AbortSignal;
}

const CLOCK_FILTER =
  "drawtext=text='%{localtime}':fontsize=32:fontcolor=white:box=1:boxcolor=black:x=16:y=16";

/** Which input `auto` means on this platform; lavfi (synthetic) is only ever chosen explicitly. */
export function inputFor(option: FfmpegCaptureOptions['input'], platform = process.platform): InputKind {
  if (option !== 'auto') return option;
  if (platform === 'win32') return 'gdigrab';
  if (platform === 'darwin') return 'avfoundation';
  return 'x11grab';
}

/** Inputs this ffmpeg build can drive (ddagrab is a filter, the others are input devices). */
export function availableInputs(binary: FfmpegBinary): InputKind[] {
  const inputs: InputKind[] = [];
  for (const device of ['x11grab', 'gdigrab', 'avfoundation'] as const) {
    if (binary.devices.has(device)) inputs.push(device);
  }
  if (binary.filters.has('ddagrab')) inputs.push('ddagrab');
  if (binary.devices.has('lavfi') && binary.filters.has('testsrc2')) inputs.push('lavfi');
  return inputs;
}

export class FfmpegCaptureBackend implements CaptureBackend {
  readonly capabilities: CaptureCapabilities;
  readonly input: InputKind;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly sessions = new Set<FfmpegCaptureSession>();
  private clockFilter: Promise<string | undefined> | undefined;

  constructor(
    readonly binary: FfmpegBinary,
    private readonly options: FfmpegCaptureOptions,
    deps: BackendDeps = {},
  ) {
    this.input = inputFor(options.input);
    const inputs = availableInputs(binary);
    if (!inputs.includes(this.input)) {
      throw new CaptureSetupError(
        `ffmpeg from ${binary.source} (${binary.path}) cannot use input "${this.input}"; it has: ${inputs.join(', ') || 'none'}`,
      );
    }
    this.capabilities = { multiMonitor: true, inputs };
    this.logger = deps.logger ?? silentLogger;
    this.clock = deps.clock ?? systemClock;
    deps.signal?.addEventListener('abort', () => {
      for (const session of this.sessions) void session.stop();
    });
  }

  describe(): string {
    const where = this.input === 'x11grab' ? ` on ${this.display()}` : '';
    return `ffmpeg ${this.binary.version} from ${this.binary.source} (${this.binary.path}), input ${this.input}${where}`;
  }

  async probeMonitors(): Promise<Monitor[]> {
    return (await this.probe()).map(publicMonitor);
  }

  async start(request: CaptureRequest): Promise<CaptureSession> {
    const { settings } = request;
    await fs.mkdir(request.outputDir, { recursive: true });
    const monitors = await this.probe();
    const chosen = settings.multiMonitor === 'all' ? monitors : monitors.filter((m) => m.primary);
    const clockFilter = this.input === 'lavfi' ? await this.workingClockFilter() : undefined;
    const inputArgs: string[] = [];
    const encodeArgs: string[] = [];
    const outputs: MonitorOutput[] = [];
    for (const [inputIndex, monitor] of chosen.entries()) {
      const input = monitorInput(this.input, monitor, {
        fps: settings.fps,
        drawMouse: this.options.drawMouse,
        clockFilter,
        extraInputArgs: this.options.extraInputArgs,
      });
      inputArgs.push(...input.args);
      const filePrefix = monitorFilePrefix(request.captureId, monitor.id);
      const listPath = path.join(request.outputDir, `${filePrefix}segments.csv`);
      encodeArgs.push(
        ...outputArgs(
          {
            inputIndex,
            width: monitor.width,
            height: monitor.height,
            prefilter: input.prefilter,
            rgb: input.rgb,
            listPath,
            filePattern: path.join(request.outputDir, `${filePrefix}%05d.mp4`),
            firstNumber: request.firstIndex ?? 0,
          },
          settings,
          this.options,
        ),
      );
      outputs.push({ monitorId: monitor.id, listPath, filePrefix });
    }
    const session = new FfmpegCaptureSession({
      captureId: request.captureId,
      outputDir: request.outputDir,
      ffmpegPath: this.binary.path,
      args: ['-hide_banner', '-nostats', '-loglevel', 'info', '-y', ...inputArgs, ...encodeArgs],
      outputs,
      runningFile: path.join(request.outputDir, runningFileName(request.captureId)),
      stopTimeoutMs: this.options.stopTimeoutMs,
      maxRecordingSeconds: settings.maxRecordingSeconds,
      logger: this.logger.child({ captureId: request.captureId }),
      clock: this.clock,
    });
    this.sessions.add(session);
    void session.ended.then(() => this.sessions.delete(session));
    return session;
  }

  recover(request: Parameters<NonNullable<CaptureBackend['recover']>>[0]) {
    return recoverCapture({
      ...request,
      ffmpegPath: this.binary.path,
      stopTimeoutMs: this.options.stopTimeoutMs,
      logger: this.logger.child({ captureId: request.captureId }),
    });
  }

  private display(): string {
    const display = this.options.display ?? process.env.DISPLAY;
    if (!display)
      throw new CaptureSetupError('x11grab needs an X display: set the display option or DISPLAY');
    return display;
  }

  private probe(): Promise<ProbedMonitor[]> {
    return probeMonitors(this.input, {
      ffmpegPath: this.binary.path,
      display: this.input === 'x11grab' ? this.display() : '',
      testMonitors: this.options.testMonitors,
    });
  }

  /** The clock overlay, when this build's drawtext finds a font (static builds may have none). */
  private workingClockFilter(): Promise<string | undefined> {
    if (!this.options.testClock || !this.binary.filters.has('drawtext')) return Promise.resolve(undefined);
    this.clockFilter ??= runCommand(this.binary.path, [
      '-hide_banner',
      '-nostdin',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=320x240:rate=1,${CLOCK_FILTER}`,
      '-frames:v',
      '1',
      '-f',
      'null',
      '-',
    ]).then((result) => (result?.code === 0 ? CLOCK_FILTER : undefined));
    return this.clockFilter;
  }
}
