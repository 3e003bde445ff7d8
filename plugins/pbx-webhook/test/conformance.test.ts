import http from 'node:http';
import { silentLogger, systemClock } from '@deskrec/core';
import { type CallEventPeer, callEventSourceKit } from '@deskrec/core/testing';
import { serve } from '@hono/node-server';
import plugin, { signedHeaders, WebhookOptionsSchema, WebhookSource } from '../src/index.js';
import { SECRET } from './helpers.js';

/** One POST as a sender makes it: a JSON body (or raw text), signed now unless told otherwise. */
interface Delivery {
  body: unknown;
  secret?: string;
  /** Seconds added to the signing time (negative = an old request). */
  skewSeconds?: number;
}

/** A sender posting through a real loopback HTTP server that hands each request to the source. */
interface WebhookPeer extends CallEventPeer<Delivery> {
  attach(source: WebhookSource): void;
}

async function createPeer(): Promise<WebhookPeer> {
  let target: WebhookSource | undefined;
  const { server, port } = await new Promise<{ server: http.Server; port: number }>((resolve) => {
    const s = serve(
      {
        fetch: (req) => target?.handleHttp(req) ?? new Response(null, { status: 404 }),
        port: 0,
        hostname: '127.0.0.1',
      },
      (info) => resolve({ server: s as http.Server, port: info.port }),
    );
  });
  return {
    attach(source) {
      target = source;
    },
    nextSession: async () => {},
    send: ({ body, secret = SECRET, skewSeconds = 0 }) =>
      new Promise((resolve, reject) => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const headers = signedHeaders(secret, text, Math.floor(Date.now() / 1000) + skewSeconds);
        // No keep-alive agent: the kit counts open sockets after close.
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: '/', headers, agent: false },
          (res) => {
            res.resume();
            res.on('end', () => resolve());
          },
        );
        req.on('error', reject);
        req.end(text);
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const agent = (value: string) => ({ by: 'extension' as const, value });

callEventSourceKit<Delivery>({
  name: 'pbx-webhook (signed POSTs over loopback HTTP)',
  capabilities: plugin.capabilities,
  createPeer,
  createSource(peer) {
    const source = new WebhookSource(WebhookOptionsSchema.parse({ secret: SECRET }), {
      clock: systemClock,
      logger: silentLogger,
    });
    (peer as WebhookPeer).attach(source);
    return source;
  },
  scenarios: [
    {
      name: 'inbound call answered and hung up (one batch)',
      traffic: {
        body: [
          {
            type: 'call.started',
            callId: 'in-1',
            at: '2026-11-25T10:00:05Z',
            direction: 'inbound',
            agent: agent('1001'),
            from: { number: '+15551234567' },
            to: { number: '1001' },
          },
          {
            type: 'call.ended',
            callId: 'in-1',
            at: '2026-11-25T10:04:41.5Z',
            direction: 'inbound',
            agent: agent('1001'),
            reason: 'normal clearing',
            audioUrl: 'https://recorder.example/calls/in-1.wav',
          },
        ],
      },
      expect: [
        {
          type: 'call.started',
          callId: 'in-1',
          agent: agent('1001'),
          direction: 'inbound',
          at: '2026-11-25T10:00:05Z',
        },
        {
          type: 'call.ended',
          callId: 'in-1',
          agent: agent('1001'),
          direction: 'inbound',
          at: '2026-11-25T10:04:41.5Z',
        },
      ],
    },
    {
      name: 'transfer from one agent to another (same callId)',
      traffic: {
        body: [
          {
            type: 'call.started',
            call_id: 'tr-1',
            at: 1764064800000,
            direction: 'inbound',
            agent: agent('1002'),
          },
          {
            type: 'call.ended',
            call_id: 'tr-1',
            at: 1764064860000,
            direction: 'inbound',
            agent: agent('1002'),
          },
          {
            type: 'call.started',
            call_id: 'tr-1',
            at: 1764064865000,
            direction: 'inbound',
            agent: agent('1003'),
          },
          {
            type: 'call.ended',
            call_id: 'tr-1',
            at: 1764064990000,
            direction: 'inbound',
            agent: agent('1003'),
          },
        ],
      },
      expect: [
        { type: 'call.started', callId: 'tr-1', agent: agent('1002'), at: new Date(1764064800000) },
        { type: 'call.ended', callId: 'tr-1', agent: agent('1002'), at: new Date(1764064860000) },
        { type: 'call.started', callId: 'tr-1', agent: agent('1003'), at: new Date(1764064865000) },
        { type: 'call.ended', callId: 'tr-1', agent: agent('1003'), at: new Date(1764064990000) },
      ],
    },
    {
      name: 'single event identified by login',
      traffic: {
        body: {
          type: 'call.started',
          callId: 'login-1',
          at: '2026-11-25T10:00:00+01:00',
          direction: 'outbound',
          agent: { by: 'login', value: 'CORP\\ann' },
        },
      },
      expect: [
        {
          type: 'call.started',
          callId: 'login-1',
          agent: { by: 'login', value: 'CORP\\ann' },
          direction: 'outbound',
          at: '2026-11-25T09:00:00Z',
        },
      ],
    },
  ],
  malformed: [
    { name: 'not JSON', traffic: { body: '{"type": "call.started",' } },
    {
      name: 'agent without value',
      traffic: {
        body: [{ type: 'call.started', callId: 'x', at: '2026-11-25T10:00:00Z', agent: { by: 'extension' } }],
      },
    },
    {
      name: 'unknown event type',
      traffic: { body: { type: 'call.ringing', callId: 'x', at: 0, agent: agent('1') } },
    },
    {
      name: 'wrong secret',
      traffic: {
        body: { type: 'call.started', callId: 'x', at: 0, agent: agent('1') },
        secret: 'not-the-configured-secret-0123456789abcdef',
      },
    },
    {
      name: 'stale timestamp',
      traffic: { body: { type: 'call.started', callId: 'x', at: 0, agent: agent('1') }, skewSeconds: -3600 },
    },
  ],
});
