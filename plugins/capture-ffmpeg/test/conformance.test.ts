import { captureBackendKit } from '@deskrec/core/testing';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import plugin, {
  FfmpegCaptureBackend,
  FfmpegCaptureOptionsSchema,
  type FfmpegCaptureSession,
  resolveFfmpeg,
} from '../src/index.js';

captureBackendKit({
  name: 'capture-ffmpeg (lavfi, two virtual monitors)',
  capabilities: plugin.capabilities,
  async create() {
    const options = FfmpegCaptureOptionsSchema.parse({
      ffmpegPath: ffmpeg.path,
      input: 'lavfi',
      testMonitors: [
        { width: 1920, height: 1080 },
        { width: 1280, height: 1024 },
      ],
    });
    return new FfmpegCaptureBackend(await resolveFfmpeg(options.ffmpegPath), options);
  },
  ffmpegPath: ffmpeg.path,
  kill: (session) => process.kill((session as FfmpegCaptureSession).pid!, 'SIGKILL'),
});
