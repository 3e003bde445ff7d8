import { z } from 'zod';

export const LocalStorageOptionsSchema = z.object({
  root: z
    .string()
    .min(1)
    .describe(
      'Folder that holds the recordings; created when missing. Relative paths start at the working directory',
    ),
  fsync: z
    .boolean()
    .default(true)
    .describe(
      'Flush each file and its folder to disk before reporting it stored (turn off only for throwaway data)',
    ),
});

export type LocalStorageOptions = z.output<typeof LocalStorageOptionsSchema>;
