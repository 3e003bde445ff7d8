import type { FfmpegCaptureSession } from '@deskrec/capture-ffmpeg';
import { captureBackendKit } from '@deskrec/core/testing';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import plugin, { OptionsSchema, ScreenCapture } from '../src/index.js';

captureBackendKit({
  capabilities: plugin.capabilities,
  name: '__PACKAGE_NAME__ (lavfi, two virtual monitors)',
  create: () =>
    ScreenCapture.create(OptionsSchema.parse({ ffmpegPath: ffmpeg.path, input: 'lavfi', testMonitors: 2 })),
  ffmpegPath: ffmpeg.path,
  kill: (session) => process.kill((session as FfmpegCaptureSession).pid!, 'SIGKILL'),
});
