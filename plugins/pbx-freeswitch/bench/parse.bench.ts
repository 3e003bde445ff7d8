/**
 * Throughput of the event-socket path (framing + plain decoding + call tracker) against a baseline that only
 * splits the same text into header lines and URL-decodes them. Run: npm run bench (from this package).
 */
import fs from 'node:fs';
import { CallTracker } from '../src/call-tracker.js';
import { decodeEvent, EslParser } from '../src/esl-parser.js';
import { FreeswitchOptionsSchema } from '../src/options.js';
import { frameDump } from '../test/fake-esl.js';

const CALLS = 2000;
const dump = fs.readFileSync(new URL('../test/dumps/blind-transfer.txt', import.meta.url), 'utf8');
// Distinct ids per call so the tracker holds real per-call state.
const wire = Array.from({ length: CALLS }, (_, i) =>
  frameDump(dump.replaceAll('4c1e-9a01', `4c1e-${String(i).padStart(4, '0')}`), 'plain'),
).join('');
const bytes = Buffer.from(wire);
const frames = wire.split('Content-Type: text/event-plain').length - 1;
const chunks: Buffer[] = [];
for (let at = 0; at < bytes.length; at += 16 * 1024) chunks.push(bytes.subarray(at, at + 16 * 1024));

function baseline(): number {
  let count = 0;
  for (const block of wire.split('\n\n')) {
    const headers: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon)] = decodeURIComponent(line.slice(colon + 1).trim());
    }
    if (headers['Event-Name']) count++;
  }
  return count;
}

function deskrec(): number {
  let events = 0;
  const tracker = new CallTracker(
    FreeswitchOptionsSchema.parse({ host: 'x', password: 'p' }),
    () => new Date(),
  );
  const parser = new EslParser({
    problem: () => undefined,
    frame: (frame) => {
      const event = decodeEvent(frame.headers['Content-Type'] ?? '', frame.body);
      if (typeof event === 'object' && CallTracker.wants(event)) events += tracker.track(event).events.length;
    },
  });
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

function measure(name: string, run: () => number): number {
  run(); // warm-up
  const rounds = 5;
  const start = process.hrtime.bigint();
  let result = 0;
  for (let i = 0; i < rounds; i++) result = run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9 / rounds;
  const rate = frames / seconds;
  console.log(
    `${name.padEnd(34)} ${(seconds * 1000).toFixed(1).padStart(8)} ms  ${Math.round(rate).toLocaleString('en-US').padStart(10)} events/s  (result ${result})`,
  );
  return rate;
}

console.log(`${CALLS} transferred calls, ${frames} events, ${(bytes.length / 1e6).toFixed(1)} MB`);
const base = measure('baseline split + decode', baseline);
const ours = measure('EslParser + decodeEvent + tracker', deskrec);
console.log(`ratio deskrec / baseline: ${(ours / base).toFixed(2)}`);
