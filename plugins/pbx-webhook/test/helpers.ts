import type { CallEvent, CallEventSink, SourceProblem } from '@deskrec/core';
import { silentLogger } from '@deskrec/core';
import {
  signedHeaders,
  type WebhookOptionsInput,
  WebhookOptionsSchema,
  WebhookSource,
} from '../src/index.js';

export const SECRET = 'test-secret-0123456789abcdef0123456789';
export const OLD_SECRET = 'old-secret-0123456789abcdef0123456789ab';
export const T0 = Date.parse('2026-11-25T12:00:00Z');

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public ms = T0) {}
  now(): Date {
    return new Date(this.ms);
  }
}

export class RecordingSink implements CallEventSink {
  readonly events: CallEvent[] = [];
  readonly problems: SourceProblem[] = [];
  event(event: CallEvent): void {
    this.events.push(event);
  }
  problem(problem: SourceProblem): void {
    this.problems.push(problem);
  }
}

export async function startedSource(options: Partial<WebhookOptionsInput> = {}, clock = new ManualClock()) {
  const source = new WebhookSource(WebhookOptionsSchema.parse({ secret: SECRET, ...options }), {
    clock,
    logger: silentLogger,
  });
  const sink = new RecordingSink();
  await source.start(sink);
  return { source, sink, clock };
}

export function signedRequest(
  body: unknown,
  { secret = SECRET, timestamp = Math.floor(T0 / 1000), headers = {} as Record<string, string> } = {},
): Request {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Request('http://deskrec.test/hooks/pbx', {
    method: 'POST',
    headers: { ...signedHeaders(secret, text, timestamp), ...headers },
    body: text,
  });
}

export const started = (callId = 'c-1', extension = '1001') => ({
  type: 'call.started',
  callId,
  at: '2026-11-25T11:59:58.250Z',
  direction: 'inbound',
  agent: { by: 'extension', value: extension },
  from: { number: '+15551230000', name: 'Caller' },
  to: { number: extension },
});

export const ended = (callId = 'c-1', extension = '1001') => ({
  ...started(callId, extension),
  type: 'call.ended',
  at: '2026-11-25T12:03:10Z',
  reason: 'normal clearing',
});
