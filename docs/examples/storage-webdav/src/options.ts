import { z } from 'zod';

/** Options an admin enters for a WebDAV storage target in the portal. */
export const WebDavOptionsSchema = z.object({
  url: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .describe(
      'URL of the WebDAV collection that holds the recordings, e.g. https://dav.example.com/recordings/',
    ),
  username: z.string().min(1).optional().describe('User name for HTTP Basic authentication; omit for none'),
  password: z.string().default('').describe('Password for HTTP Basic authentication (secret: never logged)'),
  timeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(600_000)
    .default(30_000)
    .describe('Milliseconds without progress after which a request fails'),
});

export type WebDavOptions = z.output<typeof WebDavOptionsSchema>;
export type WebDavOptionsInput = z.input<typeof WebDavOptionsSchema>;
