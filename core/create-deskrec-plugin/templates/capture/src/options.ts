import { z } from 'zod';

/** Options an agent reads from its config for this capture backend. */
export const OptionsSchema = z.object({
  ffmpegPath: z
    .string()
    .min(1)
    .optional()
    .describe('ffmpeg binary; default $FFMPEG_PATH, then the one bundled with @ffmpeg-installer/ffmpeg'),
  input: z
    .enum(['auto', 'x11grab', 'gdigrab', 'ddagrab', 'avfoundation', 'lavfi'])
    .default('auto')
    .describe('How the screen is grabbed; lavfi is a synthetic test source for machines without a display'),
  testMonitors: z
    .number()
    .int()
    .min(1)
    .max(4)
    .default(1)
    .describe('Virtual 1280x720 monitors of the lavfi test source, left to right; the first is the primary'),
});

export type Options = z.output<typeof OptionsSchema>;
export type OptionsInput = z.input<typeof OptionsSchema>;
