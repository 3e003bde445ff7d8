import path from 'node:path';

/** Keeps ids usable in file names on every platform. */
export const safeName = (value: string) => value.replace(/[^\w.-]/g, '_');

/** The prefix of one monitor's segment files; its files are `<prefix><5-digit counter>.mp4`. */
export const monitorFilePrefix = (captureId: string, monitorId: string) =>
  `${safeName(captureId)}-m${safeName(monitorId)}-`;

/** Where one capture's ffmpeg keeps its pid while it runs. */
export const runningFileName = (captureId: string) => `${safeName(captureId)}-ffmpeg.json`;

/** ffmpeg's segment counter in a file name (`…-00042.mp4` → 42). */
export function segmentNumber(file: string): number {
  const match = /-(\d+)\.mp4$/.exec(path.basename(file));
  if (!match) throw new Error(`${path.basename(file)} is not named like a segment file`);
  return Number(match[1]);
}
