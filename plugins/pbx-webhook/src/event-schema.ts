import { type CallEvent, CallEventSchema } from '@deskrec/core';
import { z } from 'zod';

const AT_HINT = 'expected an ISO 8601 date-time with Z or an offset, or Unix time in milliseconds';

/** snake_case spellings accepted for senders whose platform cannot produce camelCase keys. */
export const FIELD_ALIASES: Readonly<Record<string, string>> = {
  event_id: 'eventId',
  call_id: 'callId',
  audio_url: 'audioUrl',
};

function renameAliases(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return input;
  const record = { ...(input as Record<string, unknown>) };
  for (const [alias, field] of Object.entries(FIELD_ALIASES)) {
    if (alias in record && !(field in record)) record[field] = record[alias];
    delete record[alias];
  }
  return record;
}

/**
 * One event as a sender posts it: CallEventSchema with a stricter `at` (no locale-dependent date
 * strings) and an optional `eventId` used to drop repeated deliveries. Unknown keys are ignored.
 */
export const WebhookEventSchema = z.preprocess(
  renameAliases,
  CallEventSchema.extend({
    eventId: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .optional()
      .describe(
        'Sender’s id for this event; a repeat inside the replay window is accepted but not emitted twice',
      ),
    at: z
      .union([
        z.iso.datetime({ offset: true, error: AT_HINT }),
        z.number({ error: AT_HINT }).int().min(0).max(8.64e15),
      ])
      .transform((value) => new Date(value))
      .describe('When it happened per the phone system'),
  }),
);

export interface ParsedEvent {
  eventId: string | undefined;
  event: CallEvent;
}

export type BodyParseResult = { ok: true; events: ParsedEvent[] } | { ok: false; message: string };

/** Zod says "expected string, received undefined"; senders understand "Required" better. */
const requiredMessage: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined;

/** `events[0].agent.value`, the way a sender's JSON tooling names the spot. */
function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

/** Validates a decoded JSON body: one event object or an array of 1..maxEvents of them. */
export function parseWebhookBody(body: unknown, maxEvents: number): BodyParseResult {
  const many = Array.isArray(body);
  const items: unknown[] = many ? body : [body];
  if (many && items.length === 0) return { ok: false, message: 'events: the array is empty' };
  if (items.length > maxEvents) {
    return { ok: false, message: `events: at most ${maxEvents} events per request, got ${items.length}` };
  }
  if (!many && (typeof body !== 'object' || body === null)) {
    return { ok: false, message: 'body: expected an event object or an array of events' };
  }
  const events: ParsedEvent[] = [];
  const problems: string[] = [];
  items.forEach((item, index) => {
    const parsed = WebhookEventSchema.safeParse(item, { error: requiredMessage });
    if (!parsed.success) {
      const root = many ? `events[${index}]` : 'event';
      for (const issue of parsed.error.issues)
        problems.push(`${formatPath(root, issue.path)}: ${issue.message}`);
      return;
    }
    const { eventId, ...event } = parsed.data;
    events.push({ eventId, event });
  });
  // All or nothing: a half-accepted batch would leave the sender unsure what to resend.
  if (problems.length > 0) return { ok: false, message: problems.slice(0, 20).join('; ') };
  return { ok: true, events };
}
