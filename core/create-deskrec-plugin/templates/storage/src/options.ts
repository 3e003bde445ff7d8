import { z } from 'zod';

/** Options an admin enters for a storage target of this kind (the portal builds its form from them). */
export const OptionsSchema = z.object({
  root: z
    .string()
    .min(1)
    .describe('Folder that holds the recordings; created when missing. Replace with your backend’s address'),
});

export type Options = z.output<typeof OptionsSchema>;
export type OptionsInput = z.input<typeof OptionsSchema>;
