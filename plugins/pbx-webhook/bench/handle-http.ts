/**
 * Throughput of handleHttp for signed batches, against a baseline handler that only reads and parses the
 * same body (the least any JSON endpoint does). Run: npm run bench
 */
import { performance } from 'node:perf_hooks';
import { type CallEvent, silentLogger, systemClock } from '@deskrec/core';
import { signedHeaders, WebhookOptionsSchema, WebhookSource } from '../src/index.js';

const SECRET = 'bench-secret-0123456789abcdef0123456789';
const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const BATCH = Number(process.env.BATCH ?? 10);

function bodies(): { text: string; headers: Record<string, string> }[] {
  const ts = Math.floor(Date.now() / 1000);
  return Array.from({ length: REQUESTS }, (_, r) => {
    const events = Array.from({ length: BATCH }, (_, i) => ({
      eventId: `e-${r}-${i}`,
      type: i % 2 ? 'call.ended' : 'call.started',
      callId: `call-${r}-${i >> 1}`,
      at: new Date(Date.now() + i * 1000).toISOString(),
      direction: 'inbound',
      agent: { by: 'extension', value: String(1000 + (i % 50)) },
      from: { number: '+15551234567' },
      to: { number: String(1000 + (i % 50)) },
    }));
    const text = JSON.stringify(events);
    return { text, headers: signedHeaders(SECRET, text, ts) };
  });
}

async function measure(name: string, handle: (req: Request) => Promise<Response>): Promise<number> {
  const prepared = bodies();
  const started = performance.now();
  for (const { text, headers } of prepared) {
    const res = await handle(new Request('http://bench/hooks/x', { method: 'POST', headers, body: text }));
    if (res.status !== 202) throw new Error(`${name}: status ${res.status}: ${await res.text()}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = REQUESTS / seconds;
  console.log(
    `${name.padEnd(34)} ${rate.toFixed(0).padStart(7)} req/s  ${(rate * BATCH).toFixed(0).padStart(8)} events/s`,
  );
  return rate;
}

const baseline = async (req: Request) => {
  JSON.parse(await req.text());
  return new Response('{}', { status: 202 });
};

const source = new WebhookSource(
  WebhookOptionsSchema.parse({ secret: SECRET, maxRememberedDeliveries: 1_000_000 }),
  {
    clock: systemClock,
    logger: silentLogger,
  },
);
let emitted = 0;
await source.start({ event: (_e: CallEvent) => void emitted++, problem: (p) => console.error(p) });

console.log(`${REQUESTS} requests × ${BATCH} events, node ${process.version}`);
await measure('baseline (read + JSON.parse)', baseline); // warm-up
const base = await measure('baseline (read + JSON.parse)', baseline);
const plugin = await measure('pbx-webhook handleHttp', (req) => source.handleHttp(req));
console.log(`ratio pbx-webhook / baseline: ${(plugin / base).toFixed(2)} (events emitted ${emitted})`);
await source.stop();
