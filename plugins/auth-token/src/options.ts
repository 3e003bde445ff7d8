import { z } from 'zod';

export const TokenAuthOptionsSchema = z.object({
  minSecretLength: z
    .number()
    .int()
    .min(43)
    .max(256)
    .default(43)
    .describe(
      'Shortest workstation secret accepted, in characters; 43 base64url characters carry 256 random bits',
    ),
  admitEnrolledAfterTokenReset: z
    .boolean()
    .default(true)
    .describe(
      'Keep admitting enrolled workstations (known id and secret) that still present a token the admin has since reset',
    ),
});

export type TokenAuthOptions = z.output<typeof TokenAuthOptionsSchema>;
