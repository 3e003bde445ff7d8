import { z } from 'zod';

/** One plugin in a config file: which package, which instance id, and its options. */
export const PluginEntrySchema = z.object({
  use: z
    .string()
    .min(1)
    .describe('Package name (e.g. "@acme/deskrec-pbx-3cx") or short name for a deskrec plugin (e.g. "s3")'),
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and "-", at most 63 characters')
    .optional()
    .describe('Instance id, unique per kind; defaults to the short name'),
  options: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Options, validated by the plugin’s own schema'),
});

export type PluginEntry = z.input<typeof PluginEntrySchema>;
