import { z } from 'zod';

export const INPUT_KINDS = ['x11grab', 'gdigrab', 'ddagrab', 'avfoundation', 'lavfi'] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

export const X264_PRESETS = [
  'ultrafast',
  'superfast',
  'veryfast',
  'faster',
  'fast',
  'medium',
  'slow',
  'slower',
] as const;
export const X264_TUNES = ['none', 'stillimage', 'zerolatency', 'animation', 'film'] as const;
/**
 * For screens of text, most of whose frames mpdecimate has dropped: every frame at the same quantizer
 * (qcomp=1, so the still frames after a new page do not re-spend bits polishing it), a new page coded as a
 * P-frame (scenecut=0) whose blocks a wide motion search (umh over 128 px) finds among the glyphs already on
 * screen, and trellis quantization. Measured in BENCHMARKS.md.
 */
export const DEFAULT_X264_PARAMS = 'scenecut=0:qcomp=1:me=umh:merange=128:trellis=2';

const TestMonitorSchema = z.object({
  width: z.number().int().min(16).max(16384).describe('Width of the virtual monitor in pixels'),
  height: z.number().int().min(16).max(16384).describe('Height of the virtual monitor in pixels'),
  name: z.string().min(1).max(64).optional().describe('Name reported by probeMonitors()'),
});

export const FfmpegCaptureOptionsSchema = z.object({
  ffmpegPath: z
    .string()
    .min(1)
    .optional()
    .describe(
      'ffmpeg binary to use; when absent: $FFMPEG_PATH, then ffmpeg-static, then @ffmpeg-installer/ffmpeg, then ffmpeg on PATH',
    ),
  input: z
    .enum(['auto', ...INPUT_KINDS])
    .default('auto')
    .describe(
      'How the screen is grabbed; auto = x11grab on Linux, gdigrab on Windows, avfoundation on macOS. lavfi is a synthetic test source, never chosen by auto',
    ),
  display: z
    .string()
    .regex(/^[\w.-]*:\d+(\.\d+)?$/, 'an X display such as :0 or :99.1')
    .optional()
    .describe('X display for x11grab, e.g. `:0`; default $DISPLAY'),
  testMonitors: z
    .array(TestMonitorSchema)
    .min(1)
    .max(8)
    .default([{ width: 1920, height: 1080 }])
    .describe('Virtual monitors of the lavfi test source, left to right; the first is the primary'),
  testClock: z
    .boolean()
    .default(true)
    .describe('Draw a running clock on the lavfi test source when ffmpeg has a working drawtext filter'),
  drawMouse: z.boolean().default(true).describe('Include the mouse pointer in the video'),
  preset: z
    .enum(X264_PRESETS)
    .default('veryfast')
    .describe('libx264 preset: faster presets cost less CPU and make larger files (see BENCHMARKS.md)'),
  tune: z
    .enum(X264_TUNES)
    .default('zerolatency')
    .describe(
      'libx264 tune; with zerolatency x264 holds no frame back, so a crash loses one fragment; x264Params override it',
    ),
  x264Params: z
    .string()
    .regex(/^([\w-]+=[\w.,-]+(:[\w-]+=[\w.,-]+)*)?$/, 'key=value pairs joined by `:`')
    .default(DEFAULT_X264_PARAMS)
    .describe(
      'libx264 `-x264-params`, applied over preset and tune; the default tunes rate control and motion search for text (see BENCHMARKS.md); empty = preset and tune alone',
    ),
  crf: z
    .number()
    .int()
    .min(0)
    .max(51)
    .nullable()
    .default(30)
    .describe(
      'libx264 constant quality (lower is better and larger), capped by the bitrate setting; null encodes at the bitrate setting instead',
    ),
  dropStillFrames: z
    .boolean()
    .default(true)
    .describe('Drop frames identical to the previous one (mpdecimate, variable frame rate)'),
  keyframeSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .default(600)
    .describe('Longest time between keyframes; keyframes cost most on a still screen, seeking starts at one'),
  threads: z
    .number()
    .int()
    .min(0)
    .max(64)
    .default(1)
    .describe('Encoder threads per monitor (0 = ffmpeg decides); one is cheapest at screen frame rates'),
  fragmentSeconds: z
    .number()
    .min(0.2)
    .max(60)
    .default(1)
    .describe('MP4 fragment length: at most this much video is lost when the capture is killed'),
  stopTimeoutMs: z
    .number()
    .int()
    .min(100)
    .max(120000)
    .default(10000)
    .describe('How long stop() waits for ffmpeg to finish before it is terminated'),
  extraInputArgs: z
    .array(z.string())
    .default([])
    .describe('Extra ffmpeg arguments placed before each -i (advanced)'),
  extraOutputArgs: z
    .array(z.string())
    .default([])
    .describe('Extra ffmpeg arguments placed before each output (advanced)'),
});

export type FfmpegCaptureOptions = z.output<typeof FfmpegCaptureOptionsSchema>;
export type FfmpegCaptureOptionsInput = z.input<typeof FfmpegCaptureOptionsSchema>;
