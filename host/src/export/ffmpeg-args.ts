import type { ExportPlan, Lane } from './export-plan.js';

/** Where ffmpeg reads each part of the export (the feed server's addresses). */
export interface ExportInputs {
  /** The ffconcat list of lane `i`. */
  laneList(i: number): string;
  /** Segment `j` of lane `i`. */
  segment(i: number, j: number): string;
  audio: string;
}

const s = (seconds: number) => seconds.toFixed(3);

/** The concat demuxer's list for one lane: each file lasts until the next one starts, so gaps remain. */
export function laneList(lane: Lane, i: number, inputs: ExportInputs): string {
  const lines = ['ffconcat version 1.0'];
  lane.segments.forEach((segment, j) => {
    lines.push(`file '${inputs.segment(i, j)}'`, `duration ${s(segment.seconds)}`);
    if (segment.outpoint !== undefined) lines.push(`outpoint ${s(segment.outpoint)}`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * ffmpeg's arguments for one export: each lane is read with the concat demuxer, made constant-rate (a gap
 * repeats the last frame), padded with black before its first segment and frozen after its last; lanes are
 * scaled to the first one's height and put side by side; the audio is delayed by its offset, silence
 * before it. Written as fragmented MP4 to stdout, so nothing is kept whole anywhere.
 */
export function ffmpegArgs(plan: ExportPlan, inputs: ExportInputs, fps: number): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  const whitelist = ['-protocol_whitelist', 'http,tcp'];
  plan.lanes.forEach((_, i) => {
    args.push(...whitelist, '-f', 'concat', '-safe', '0', '-i', inputs.laneList(i));
  });
  if (plan.audio) {
    args.push(...whitelist, '-itsoffset', s(plan.audio.offsetSeconds), '-i', inputs.audio);
  }
  const filters = plan.lanes.map(
    (lane, i) =>
      `[${i}:v:0]fps=${fps},pad=ceil(iw/2)*2:ceil(ih/2)*2,setsar=1,format=yuv420p,` +
      `tpad=start_duration=${s(lane.leadSeconds)}:stop_mode=clone:stop_duration=${s(lane.tailSeconds + 1)}[l${i}]`,
  );
  let video = 'l0';
  if (plan.lanes.length > 1) {
    // Every further lane takes the first lane's height (keeping its own aspect), then all stand in a row.
    let ref = 'l0';
    const stacked: string[] = [];
    for (let i = 1; i < plan.lanes.length; i++) {
      filters.push(`[l${i}][${ref}]scale2ref=w='trunc(oh*mdar/2)*2':h=ih[m${i}][r${i}]`);
      filters.push(`[m${i}]setsar=1[s${i}]`);
      ref = `r${i}`;
      stacked.push(`[s${i}]`);
    }
    filters.push(`[${ref}]${stacked.join('')}hstack=inputs=${plan.lanes.length}[v]`);
    video = 'v';
  }
  if (plan.audio) {
    filters.push(
      `[${plan.lanes.length}:a:0]aresample=48000:async=1:first_pts=0,apad,asetnsamples=n=1024:p=0[a]`,
    );
  }
  args.push('-filter_complex', filters.join(';'), '-map', `[${video}]`);
  if (plan.audio) args.push('-map', '[a]', '-c:a', 'aac', '-b:a', '96k');
  args.push(
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-tune',
    'stillimage',
    '-crf',
    '28',
    '-pix_fmt',
    'yuv420p',
    // No B-frames: they delay the first video frame, and fragmented MP4 has no edit list to undo that.
    '-bf',
    '0',
    // A keyframe every 2 s: each starts a fragment, so ffmpeg and the response hold 2 s at most.
    '-g',
    String(Math.max(1, Math.round(fps * 2))),
    '-t',
    s(plan.totalSeconds),
    '-movflags',
    'frag_keyframe+empty_moov+default_base_moof',
    '-f',
    'mp4',
    'pipe:1',
  );
  return args;
}
