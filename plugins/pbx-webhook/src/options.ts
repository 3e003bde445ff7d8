import { z } from 'zod';

/** Shortest accepted secret: 32 characters keep HMAC keys out of brute-force reach. */
export const MIN_SECRET_LENGTH = 32;

const Secret = z
  .string()
  .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters`)
  .max(1024);

export const WebhookOptionsSchema = z.object({
  secret: Secret.describe(
    'Shared secret the sender signs each request with (HMAC-SHA256), at least 32 characters; e.g. `openssl rand -hex 32`',
  ),
  previousSecrets: z
    .array(Secret)
    .max(8)
    .default([])
    .describe(
      'Older secrets still accepted while senders move to the new one (rotation); remove them once all senders use `secret`',
    ),
  tenantSecrets: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a tenant slug: lowercase letters, digits and "-"'),
      Secret,
    )
    .default({})
    .describe(
      "For a source shared by several tenants: tenant slug → that tenant's own signing secret. An event that names a tenant is accepted only when the request is signed with that tenant's secret; requests signed with `secret` may not name a tenant",
    ),
  replayWindowSeconds: z
    .number()
    .int()
    .min(10)
    .max(3600)
    .default(300)
    .describe(
      'How far the signed timestamp may differ from the host clock, in seconds; requests outside it are refused, exact repeats inside it too',
    ),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(256 * 1024)
    .describe(
      'Largest accepted request body in bytes; larger bodies are refused with 413 without being read',
    ),
  maxEventsPerRequest: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .describe('Most events one request may carry (a JSON array)'),
  maxRememberedDeliveries: z
    .number()
    .int()
    .min(100)
    .max(1_000_000)
    .default(100_000)
    .describe(
      'How many signatures and event ids are remembered inside the replay window; when full, new requests get 429 until old entries expire',
    ),
});

export type WebhookOptions = z.output<typeof WebhookOptionsSchema>;
export type WebhookOptionsInput = z.input<typeof WebhookOptionsSchema>;
