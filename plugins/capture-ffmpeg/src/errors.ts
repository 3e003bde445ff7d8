/** A capture that cannot be set up: no ffmpeg, no display, no monitor. The message says what to fix. */
export class CaptureSetupError extends Error {
  override readonly name = 'CaptureSetupError';
}
