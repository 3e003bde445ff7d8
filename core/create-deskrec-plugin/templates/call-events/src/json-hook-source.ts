import { createHash, timingSafeEqual } from 'node:crypto';
import {
  CallEventSchema,
  type CallEventSink,
  type CallEventSource,
  type CallEventSourceCapabilities,
  type Clock,
  formatIssues,
  type PluginContext,
  type SourceHealth,
  systemClock,
} from '@deskrec/core';
import type { Options } from './options.js';

/** The host mounts `handleHttp` under `/hooks/<instance id>`; nothing to reconnect. */
export const CAPABILITIES: CallEventSourceCapabilities = { http: true, persistentConnection: false };

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * A working skeleton: the phone system POSTs one call event (or an array of them) as JSON, in deskrec's own
 * shape. Replace `toEvents` with the translation of your phone system's messages.
 */
export class JsonHookSource implements CallEventSource {
  readonly capabilities = CAPABILITIES;
  private sink: CallEventSink | undefined;
  private readonly state: SourceHealth = { state: 'starting', reconnects: 0 };
  private readonly secret: Buffer;
  private readonly clock: Clock;

  constructor(
    private readonly options: Options,
    context?: Pick<PluginContext, 'clock'>,
  ) {
    this.secret = digest(options.secret);
    this.clock = context?.clock ?? systemClock;
  }

  async start(sink: CallEventSink): Promise<void> {
    this.sink = sink;
    this.state.state = 'connected';
  }

  async stop(): Promise<void> {
    this.sink = undefined;
    this.state.state = 'stopped';
  }

  health(): SourceHealth {
    return { ...this.state };
  }

  async handleHttp(request: Request): Promise<Response> {
    const sink = this.sink;
    if (!sink) return new Response('stopped', { status: 503 });
    // Digests have one length, so the comparison takes the same time whatever was sent.
    const presented = digest(request.headers.get('x-deskrec-secret') ?? '');
    if (!timingSafeEqual(presented, this.secret)) {
      sink.problem({ message: 'request with a missing or wrong X-Deskrec-Secret header' });
      return new Response('unauthorized', { status: 401 });
    }
    const text = await request.text();
    if (Buffer.byteLength(text) > this.options.maxBodyBytes) {
      sink.problem({
        message: `body larger than ${this.options.maxBodyBytes} bytes`,
        input: text.slice(0, 200),
      });
      return new Response('too large', { status: 413 });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      sink.problem({ message: 'body is not JSON', input: text.slice(0, 200) });
      return new Response('not JSON', { status: 400 });
    }
    const parsed = CallEventSchema.array().safeParse(Array.isArray(body) ? body : [body]);
    if (!parsed.success) {
      sink.problem({ message: `not a call event: ${formatIssues(parsed.error)}`, input: text.slice(0, 200) });
      return new Response(formatIssues(parsed.error), { status: 400 });
    }
    for (const event of parsed.data) sink.event(event);
    if (parsed.data.length) this.state.lastEventAt = this.clock.now();
    return new Response(null, { status: 202 });
  }
}
