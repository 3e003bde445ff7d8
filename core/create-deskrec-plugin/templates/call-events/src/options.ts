import { z } from 'zod';

/** Options an admin writes in the host config under `plugins.callEvents[].options`. */
export const OptionsSchema = z.object({
  secret: z
    .string()
    .min(32, 'at least 32 characters; generate one with `openssl rand -hex 32`')
    .describe('Shared secret the phone system sends in the X-Deskrec-Secret header of every request'),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(64 * 1024)
    .describe('Larger request bodies are refused with 413'),
});

export type Options = z.output<typeof OptionsSchema>;
export type OptionsInput = z.input<typeof OptionsSchema>;
