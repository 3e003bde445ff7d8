import { createHash } from 'node:crypto';
import type {
  CallEventSink,
  CallEventSource,
  CallEventSourceCapabilities,
  Clock,
  Logger,
  SourceHealth,
  SourceState,
} from '@deskrec/core';
import { BodyTooLargeError, readLimitedBody } from './body.js';
import { parseWebhookBody } from './event-schema.js';
import type { WebhookOptions } from './options.js';
import { ReplayCache } from './replay-cache.js';
import { errorResponse, jsonResponse } from './responses.js';
import { matchSigner, parseSignatureHeader, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';

export const WEBHOOK_CAPABILITIES: CallEventSourceCapabilities = Object.freeze({
  http: true,
  persistentConnection: false,
});

/** Shortened copy of received input for problem reports (bodies carry no credentials; headers are left out). */
function excerpt(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function isJson(contentType: string | null): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

export interface WebhookSourceDeps {
  clock: Clock;
  logger: Logger;
}

/**
 * Receives signed JSON call events over HTTP. The host mounts `handleHttp` under `/hooks/<instance id>`;
 * the handler uses only web-standard Request/Response, so any server (hono, node:http adapter) can call it.
 */
export class WebhookSource implements CallEventSource {
  readonly capabilities = WEBHOOK_CAPABILITIES;
  private sink: CallEventSink | undefined;
  private state: SourceState = 'starting';
  private lastEventAt: Date | undefined;
  /** `null` signs for the tenant the host binds the source to; a slug signs for that tenant only. */
  private readonly signers: readonly { signer: string | null; secret: string }[];
  private readonly replays: ReplayCache;
  private readonly windowMs: number;

  constructor(
    private readonly options: WebhookOptions,
    private readonly deps: WebhookSourceDeps,
  ) {
    this.signers = [
      ...[options.secret, ...options.previousSecrets].map((secret) => ({ signer: null, secret })),
      ...Object.entries(options.tenantSecrets).map(([tenant, secret]) => ({ signer: tenant, secret })),
    ];
    this.windowMs = options.replayWindowSeconds * 1000;
    // Twice the window: a timestamp up to one window in the future stays valid until one window after it.
    this.replays = new ReplayCache(2 * this.windowMs, options.maxRememberedDeliveries);
  }

  async start(sink: CallEventSink): Promise<void> {
    this.sink = sink;
    this.state = 'connected';
  }

  async stop(): Promise<void> {
    this.sink = undefined;
    this.state = 'stopped';
  }

  health(): SourceHealth {
    const health: SourceHealth = { state: this.state, reconnects: 0 };
    if (this.lastEventAt) health.lastEventAt = this.lastEventAt;
    if (this.state === 'connected') {
      health.detail = this.lastEventAt
        ? `last event received ${this.lastEventAt.toISOString()}`
        : 'waiting for the first event';
    }
    return health;
  }

  async handleHttp(request: Request): Promise<Response> {
    const sink = this.sink;
    if (!sink) return errorResponse(503, 'source is not running', { 'retry-after': '30' });
    if (request.method !== 'POST')
      return errorResponse(405, 'method not allowed: use POST', { allow: 'POST' });
    if (!isJson(request.headers.get('content-type'))) {
      return errorResponse(415, 'unsupported media type: send application/json');
    }
    const declared = Number(request.headers.get('content-length') ?? Number.NaN);
    if (declared > this.options.maxBodyBytes) return this.tooLarge();

    const timestamp = request.headers.get(TIMESTAMP_HEADER);
    const signatureHeader = request.headers.get(SIGNATURE_HEADER);
    if (!timestamp || !signatureHeader) {
      return this.unauthorized(
        sink,
        `missing ${!timestamp ? 'X-Deskrec-Timestamp' : 'X-Deskrec-Signature'} header`,
      );
    }
    if (!/^\d{1,12}$/.test(timestamp))
      return this.unauthorized(sink, 'malformed timestamp: expected Unix seconds');
    const nowMs = this.deps.clock.now().getTime();
    if (Math.abs(nowMs - Number(timestamp) * 1000) > this.windowMs) {
      return this.unauthorized(sink, 'timestamp outside the replay window: check the sender clock');
    }
    const signatures = parseSignatureHeader(signatureHeader);
    if (signatures.length === 0) return this.unauthorized(sink, 'malformed signature: expected sha256=<hex>');

    let raw: Uint8Array;
    try {
      raw = await readLimitedBody(request, this.options.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) return this.tooLarge();
      return errorResponse(400, 'body could not be read');
    }
    const signer = matchSigner(this.signers, timestamp, raw, signatures);
    if (signer === undefined) return this.unauthorized(sink, 'signature does not match');
    // Keyed on what the signature covers, not on the header text, which a replayer could pad or reorder.
    const deliveryKey = `req:${timestamp}:${createHash('sha256').update(raw).digest('base64')}`;
    if (this.replays.has(deliveryKey, nowMs))
      return errorResponse(409, 'duplicate delivery: already accepted');

    const text = Buffer.from(raw).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return this.badRequest(sink, 'body: not valid JSON', text);
    }
    const parsed = parseWebhookBody(body, this.options.maxEventsPerRequest);
    if (!parsed.ok) return this.badRequest(sink, parsed.message, text);
    // With per-tenant secrets, the signature decides the tenant; without, the host's binding of the source does.
    const perTenant = Object.keys(this.options.tenantSecrets).length > 0;
    const foreign = perTenant
      ? parsed.events.find(({ event }) => (event.tenant ?? signer) !== signer)
      : undefined;
    if (foreign) {
      return this.forbidden(
        sink,
        signer === null
          ? `event names tenant "${foreign.event.tenant}": only a request signed with that tenant's secret (tenantSecrets) may`
          : `request signed for tenant "${signer}" carries an event for ${foreign.event.tenant ? `tenant "${foreign.event.tenant}"` : 'no tenant'}`,
      );
    }
    const events = parsed.events.map(({ eventId, event }) => ({
      eventId,
      event: signer === null ? event : { ...event, tenant: signer },
    }));

    const keys = 1 + events.filter((e) => e.eventId !== undefined).length;
    if (!this.replays.hasRoom(keys, nowMs)) {
      return errorResponse(429, 'too many deliveries inside the replay window: retry later', {
        'retry-after': String(this.options.replayWindowSeconds),
      });
    }
    this.replays.add(deliveryKey, nowMs);
    let accepted = 0;
    let duplicates = 0;
    for (const { eventId, event } of events) {
      if (eventId !== undefined) {
        const key = `id:${eventId}`;
        if (this.replays.has(key, nowMs)) {
          duplicates++;
          continue;
        }
        this.replays.add(key, nowMs);
      }
      sink.event(event);
      accepted++;
    }
    if (accepted > 0) this.lastEventAt = this.deps.clock.now();
    return jsonResponse(202, { accepted, duplicates });
  }

  private tooLarge(): Response {
    return errorResponse(413, `body too large: at most ${this.options.maxBodyBytes} bytes`);
  }

  private unauthorized(sink: CallEventSink, reason: string): Response {
    this.deps.logger.warn({ reason }, 'webhook request refused');
    sink.problem({ message: `unauthorized webhook request: ${reason}` });
    return errorResponse(401, `unauthorized: ${reason}`);
  }

  private forbidden(sink: CallEventSink, reason: string): Response {
    this.deps.logger.warn({ reason }, 'webhook request refused');
    sink.problem({ message: `forbidden webhook request: ${reason}` });
    return errorResponse(403, `forbidden: ${reason}`);
  }

  private badRequest(sink: CallEventSink, message: string, body: string): Response {
    sink.problem({ message: `invalid webhook body: ${message}`, input: excerpt(body) });
    return errorResponse(400, message);
  }
}
