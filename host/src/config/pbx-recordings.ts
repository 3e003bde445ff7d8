import { PluginEntrySchema } from '@deskrec/core';
import { z } from 'zod';

/**
 * Where the host fetches the recordings a PBX makes itself (MixMonitor, record_session) for one call-event
 * source: the file name the PBX reports, less `prefix`, is a key in a storage target or a path under a URL.
 */
export const PbxRecordingsSchema = z
  .object({
    prefix: z
      .string()
      .min(1)
      .max(1024)
      .refine((prefix) => prefix.endsWith('/'), { message: 'must end with "/"' })
      .describe(
        'Folder the PBX writes recordings to, e.g. `/var/spool/asterisk/monitor/`; a reported file outside it is refused',
      ),
    storage: PluginEntrySchema.strict()
      .optional()
      .describe('A storage target (any kind: local, sftp, s3, ...) whose root is that folder'),
    url: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
      .refine((url) => url.endsWith('/'), { message: 'must end with "/"' })
      .optional()
      .describe(
        'Base URL serving that folder (fetched under the `fetch` address policy); the file is requested below it',
      ),
    giveUpAfterMinutes: z
      .number({ error: 'expected a number of minutes from 1 to 43200' })
      .min(1, { error: 'expected a number of minutes from 1 to 43200' })
      .max(43_200, { error: 'expected a number of minutes from 1 to 43200' })
      .default(120)
      .describe(
        'Retry (with growing pauses) until the file exists for this long after the call ended, then record the failure on the call',
      ),
  })
  .strict()
  .refine((r) => (r.storage === undefined) !== (r.url === undefined), {
    message: 'set exactly one of storage or url',
    path: ['storage'],
  });

export type PbxRecordingsConfig = z.output<typeof PbxRecordingsSchema>;
