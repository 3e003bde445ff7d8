import type { CaptureSettings } from '@deskrec/core';
import type { FfmpegCaptureOptions } from './options.js';
import { fitWithin } from './scale.js';

export interface EncodeTarget {
  /** Index of this monitor's input in the ffmpeg command. */
  inputIndex: number;
  width: number;
  height: number;
  prefilter?: string;
  /** The input is packed RGB (see MonitorInput.rgb). */
  rgb?: boolean;
  /** `-segment_list` CSV that ffmpeg appends a line to when a segment is closed. */
  listPath: string;
  /** Segment file pattern with a `%05d` counter. */
  filePattern: string;
  /** The counter's first value (the first segment's index). */
  firstNumber?: number;
}

type EncodeOptions = Pick<
  FfmpegCaptureOptions,
  | 'preset'
  | 'tune'
  | 'x264Params'
  | 'crf'
  | 'dropStillFrames'
  | 'keyframeSeconds'
  | 'threads'
  | 'fragmentSeconds'
  | 'extraOutputArgs'
>;

/**
 * One output per monitor: scaled, H.264, cut into fragmented-MP4 segments. Fragmented MP4 flushed per packet
 * is what makes a killed capture playable; forced keyframes at each cut are what lets the segmenter cut.
 */
export function outputArgs(
  target: EncodeTarget,
  settings: CaptureSettings,
  options: EncodeOptions,
): string[] {
  const size = fitWithin(target.width, target.height, settings.maxWidth, settings.maxHeight);
  const filters = [target.prefilter];
  if (size.width !== target.width || size.height !== target.height) {
    // area averaging keeps small text readable when shrinking and costs little.
    filters.push(`scale=${size.width}:${size.height}:flags=area`);
  } else if (target.rgb) {
    // swscale's bgr24 → yuv420p path costs half of the direct bgr0 → yuv420p one (see BENCHMARKS.md).
    filters.push('format=bgr24');
  }
  filters.push('format=yuv420p');
  // After scaling, so duplicate detection compares the smaller picture. One frame a second is kept on a
  // still screen: segments can be cut, fragments flushed, and the file's end stays close to the capture's.
  if (options.dropStillFrames) filters.push(`mpdecimate=max=${Math.max(1, Math.round(settings.fps) - 1)}`);
  const seconds = settings.maxFileSeconds;
  const movflags = `movflags=+frag_keyframe+empty_moov+default_base_moof:frag_duration=${Math.round(options.fragmentSeconds * 1e6)}`;
  return [
    '-map',
    `${target.inputIndex}:v:0`,
    '-filter:v',
    filters.filter(Boolean).join(','),
    '-c:v',
    'libx264',
    '-preset',
    options.preset,
    ...(options.tune === 'none' ? [] : ['-tune', options.tune]),
    ...(options.x264Params ? ['-x264-params', options.x264Params] : []),
    ...(options.crf === null ? ['-b:v', `${settings.bitrateKbps}k`] : ['-crf', String(options.crf)]),
    ...(options.dropStillFrames ? ['-vsync', 'vfr'] : []),
    '-maxrate',
    `${settings.bitrateKbps}k`,
    '-bufsize',
    `${settings.bitrateKbps * 2}k`,
    '-g',
    String(Math.max(1, Math.round(options.keyframeSeconds * settings.fps))),
    '-threads',
    String(options.threads),
    '-force_key_frames',
    `expr:gte(t,n_forced*${seconds})`,
    '-t',
    String(settings.maxRecordingSeconds),
    ...options.extraOutputArgs,
    '-f',
    'segment',
    '-segment_time',
    String(seconds),
    '-reset_timestamps',
    '1',
    '-segment_format',
    'mp4',
    '-segment_format_options',
    movflags,
    '-segment_list',
    target.listPath,
    '-segment_list_type',
    'csv',
    '-segment_start_number',
    String(target.firstNumber ?? 0),
    '-flush_packets',
    '1',
    target.filePattern,
  ];
}
