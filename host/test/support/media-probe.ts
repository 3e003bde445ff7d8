import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';

const run = promisify(execFile);

const seconds = (hms: string) => hms.split(':').reduce((total, part) => total * 60 + Number(part), 0);

/** ffmpeg's stderr of a full decode (the npm ffmpeg has no ffprobe; decoding everything is stricter anyway). */
async function decode(file: string, extra: string[]): Promise<string> {
  const { stderr } = await run(
    ffmpeg.path,
    ['-hide_banner', '-nostdin', '-i', file, ...extra, '-f', 'null', '-'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return stderr;
}

export interface ProbedMedia {
  videoStreams: number;
  audioStreams: number;
  width: number;
  height: number;
  /** Decoded length of the video stream, in seconds. */
  videoSeconds: number;
}

/** What an MP4 holds, found by decoding its video to the end. */
export async function probeMedia(file: string): Promise<ProbedMedia> {
  const err = await decode(file, ['-map', '0:v:0']);
  const input = err.split(/^Stream mapping:/m)[0]!;
  const size = /Stream #0:\d+.*Video: .*?, (\d{2,5})x(\d{2,5})/.exec(input);
  const progress = [...err.matchAll(/time=\s*(\d+:\d+:[\d.]+)/g)].at(-1);
  if (!size || !progress) throw new Error(`${file} has no decodable video: ${err.slice(-500)}`);
  return {
    videoStreams: [...input.matchAll(/Stream #0:\d+.*: Video:/g)].length,
    audioStreams: [...input.matchAll(/Stream #0:\d+.*: Audio:/g)].length,
    width: Number(size[1]),
    height: Number(size[2]),
    videoSeconds: seconds(progress[1]!),
  };
}

/** When the audio first rises above silence, in seconds from the file's start. */
export async function firstSound(file: string): Promise<number> {
  const err = await decode(file, ['-map', '0:a:0', '-af', 'silencedetect=noise=-40dB:d=0.3']);
  const starts = [...err.matchAll(/silence_start: (-?[\d.]+)/g)].map((m) => Number(m[1]));
  const ends = [...err.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
  if (starts[0] === undefined || starts[0] > 0.05) return 0;
  if (ends[0] === undefined) throw new Error(`${file}: the audio is silent throughout`);
  return ends[0];
}
