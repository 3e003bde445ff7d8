import { z } from 'zod';

/** Options an admin writes in the host config under `plugins.auth.options`. */
export const OptionsSchema = z.object({
  minSecretLength: z
    .number()
    .int()
    .min(43)
    .max(256)
    .default(43)
    .describe('Shortest workstation secret accepted, in characters (43 base64url characters are 256 bits)'),
});

export type Options = z.output<typeof OptionsSchema>;
export type OptionsInput = z.input<typeof OptionsSchema>;
