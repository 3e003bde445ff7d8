import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CapturedSegment, CaptureSession, CaptureSettings } from '@deskrec/core';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import {
  FfmpegCaptureBackend,
  type FfmpegCaptureOptionsInput,
  FfmpegCaptureOptionsSchema,
  resolveFfmpeg,
} from '../src/index.js';

export const FFMPEG = ffmpeg.path;

/** Settings built directly (not through the schema) so segments can be 2 s and tests stay short. */
export function settings(overrides: Partial<CaptureSettings> = {}): CaptureSettings {
  return {
    fps: 5,
    bitrateKbps: 300,
    maxFileSeconds: 2,
    maxRecordingSeconds: 600,
    multiMonitor: 'primary',
    maxWidth: 1920,
    maxHeight: 1080,
    ...overrides,
  };
}

export async function backend(options: FfmpegCaptureOptionsInput = {}): Promise<FfmpegCaptureBackend> {
  const parsed = FfmpegCaptureOptionsSchema.parse({ ffmpegPath: FFMPEG, input: 'lavfi', ...options });
  return new FfmpegCaptureBackend(await resolveFfmpeg(parsed.ffmpegPath), parsed);
}

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `deskrec-${prefix}-`));
}

export function collect(session: CaptureSession): CapturedSegment[] {
  const segments: CapturedSegment[] = [];
  session.onSegment((s) => segments.push(s));
  return segments;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
