import { runCommand } from './run-command.js';

export interface MediaInfo {
  durationMs: number;
  width: number;
  height: number;
  frames: number;
}

const seconds = (hms: string) => hms.split(':').reduce((total, part) => total * 60 + Number(part), 0);

/**
 * What a video file holds, read with the ffmpeg binary alone (ffprobe is not always shipped): the file is
 * demuxed to the null muxer, or fully decoded with `decode` to prove it plays. Undefined when it has no frame.
 */
export async function probeMedia(
  ffmpegPath: string,
  file: string,
  decode = false,
): Promise<MediaInfo | undefined> {
  const result = await runCommand(
    ffmpegPath,
    [
      '-hide_banner',
      '-nostdin',
      '-i',
      file,
      '-map',
      '0:v:0',
      ...(decode ? [] : ['-c', 'copy']),
      '-f',
      'null',
      '-',
    ],
    120000,
  );
  if (result?.code !== 0) return undefined;
  const err = result.stderr;
  const size = /Stream #\d+:\d+.*Video: .*?, (\d{2,5})x(\d{2,5})/.exec(err);
  const progress = [...err.matchAll(/frame=\s*(\d+).*?time=\s*(\d+:\d+:[\d.]+)/g)].at(-1);
  const header = /Duration: (\d+:\d+:[\d.]+)/.exec(err);
  if (!size || !progress || Number(progress[1]) === 0) return undefined;
  return {
    width: Number(size[1]),
    height: Number(size[2]),
    frames: Number(progress[1]),
    durationMs: Math.round(seconds(header?.[1] ?? progress[2]!) * 1000),
  };
}
