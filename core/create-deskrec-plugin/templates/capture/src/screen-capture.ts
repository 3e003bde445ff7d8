import { FfmpegCaptureBackend, FfmpegCaptureOptionsSchema, resolveFfmpeg } from '@deskrec/capture-ffmpeg';
import type {
  CaptureBackend,
  CaptureCapabilities,
  CaptureRequest,
  CaptureSession,
  Monitor,
  PluginContext,
} from '@deskrec/core';
import type { Options } from './options.js';

/** Declared for every platform; `capabilities` of an instance says what this machine really has. */
export const CAPABILITIES: CaptureCapabilities = {
  multiMonitor: true,
  inputs: ['x11grab', 'gdigrab', 'ddagrab', 'avfoundation', 'lavfi'],
};

/**
 * A working skeleton built on deskrec's ffmpeg backend: segments, scaling, crash safety and monitor
 * probing come from it. Change what your backend does differently here (another encoder, your own monitor
 * detection, a watermark), or replace the inner backend with your own and keep the kit green.
 */
export class ScreenCapture implements CaptureBackend {
  private constructor(private readonly inner: FfmpegCaptureBackend) {}

  static async create(options: Options, context?: PluginContext): Promise<ScreenCapture> {
    const ffmpeg = FfmpegCaptureOptionsSchema.parse({
      ...(options.ffmpegPath ? { ffmpegPath: options.ffmpegPath } : {}),
      input: options.input,
      testMonitors: Array.from({ length: options.testMonitors }, () => ({ width: 1280, height: 720 })),
    });
    const binary = await resolveFfmpeg(ffmpeg.ffmpegPath);
    return new ScreenCapture(
      new FfmpegCaptureBackend(
        binary,
        ffmpeg,
        context ? { logger: context.logger, clock: context.clock, signal: context.signal } : undefined,
      ),
    );
  }

  get capabilities(): CaptureCapabilities {
    return this.inner.capabilities;
  }

  probeMonitors(): Promise<Monitor[]> {
    return this.inner.probeMonitors();
  }

  start(request: CaptureRequest): Promise<CaptureSession> {
    return this.inner.start(request);
  }

  /** After a crash: ends a leftover encoder and reports the files it wrote (the kit tests it). */
  recover(request: Parameters<NonNullable<CaptureBackend['recover']>>[0]) {
    return this.inner.recover(request);
  }

  describe(): string {
    return `__PLUGIN_ID__ on ${this.inner.describe()}`;
  }
}
