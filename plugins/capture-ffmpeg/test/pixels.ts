import { spawn } from 'node:child_process';

/**
 * The RGB colour at (x, y) of every frame of a video: each frame is cropped to 2x2 pixels by ffmpeg and
 * written raw, so only 12 bytes per frame reach this process.
 */
export function pixelPerFrame(
  ffmpegPath: string,
  file: string,
  x: number,
  y: number,
): Promise<[number, number, number][]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      ffmpegPath,
      ['-v', 'error', '-i', file, '-vf', `crop=2:2:${x}:${y}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const chunks: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`pixel extraction failed: ${err}`));
      const raw = Buffer.concat(chunks);
      const frames: [number, number, number][] = [];
      for (let i = 0; i + 12 <= raw.length; i += 12) frames.push([raw[i]!, raw[i + 1]!, raw[i + 2]!]);
      resolve(frames);
    });
  });
}

/** True when two colours are the same up to the rounding of RGB → YUV 4:2:0 → RGB. */
export function near(a: readonly number[], b: readonly number[], tolerance = 24): boolean {
  return a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);
}
