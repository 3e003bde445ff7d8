import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The ffmpeg the host exports with: $FFMPEG_PATH, else the binary of @ffmpeg-installer/ffmpeg (a dependency),
 * else `ffmpeg` from PATH.
 */
export function hostFfmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FFMPEG_PATH) return env.FFMPEG_PATH;
  try {
    const installed = (require('@ffmpeg-installer/ffmpeg') as { path?: unknown }).path;
    if (typeof installed === 'string' && existsSync(installed)) return installed;
  } catch {
    // Not installed for this platform: PATH it is.
  }
  return 'ffmpeg';
}
