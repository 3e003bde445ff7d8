import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { FfmpegCaptureBackend } from './ffmpeg-backend.js';
import { resolveFfmpeg } from './ffmpeg-binary.js';
import { FfmpegCaptureOptionsSchema, INPUT_KINDS } from './options.js';

export { FfmpegCaptureBackend, inputFor } from './ffmpeg-backend.js';
export { type FfmpegBinary, type FfmpegSource, resolveFfmpeg } from './ffmpeg-binary.js';
export { FfmpegCaptureSession } from './ffmpeg-session.js';
export { type MediaInfo, probeMedia } from './media-probe.js';
export {
  type FfmpegCaptureOptions,
  type FfmpegCaptureOptionsInput,
  FfmpegCaptureOptionsSchema,
} from './options.js';
export { fitWithin } from './scale.js';

export default definePlugin({
  id: 'capture-ffmpeg',
  kind: 'capture',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'Screen capture with ffmpeg',
  options: FfmpegCaptureOptionsSchema,
  // Per platform and ffmpeg build the backend reports the inputs it really has (backend.capabilities).
  capabilities: { multiMonitor: true, inputs: INPUT_KINDS },
  create: async (options, context) =>
    new FfmpegCaptureBackend(await resolveFfmpeg(options.ffmpegPath), options, {
      logger: context.logger,
      clock: context.clock,
      signal: context.signal,
    }),
});
