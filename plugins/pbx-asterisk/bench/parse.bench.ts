/**
 * Throughput of the AMI path (wire parser + call tracker) against a baseline that only splits the same text
 * into messages and header pairs. Run: npm run bench (from this package).
 */
import fs from 'node:fs';
import { AmiParser } from '../src/ami-parser.js';
import { CallTracker } from '../src/call-tracker.js';
import { AsteriskOptionsSchema } from '../src/options.js';

const CALLS = 2000;
const template = fs.readFileSync(new URL('../test/transcripts/queue-answered.txt', import.meta.url), 'utf8');
// Distinct ids per call so the tracker holds real per-call state.
const text = Array.from({ length: CALLS }, (_, i) => template.replaceAll('1700000', `${1800000 + i}`))
  .join('')
  .replace(/\n/g, '\r\n');
const messages = text.split('\r\n\r\n').length - 1;
// Chunks as a socket would deliver them.
const chunks: string[] = [];
for (let at = 0; at < text.length; at += 16 * 1024) chunks.push(text.slice(at, at + 16 * 1024));

function baseline(): number {
  let count = 0;
  for (const block of text.split('\r\n\r\n')) {
    const headers: Record<string, string> = {};
    for (const line of block.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    if (headers.event) count++;
  }
  return count;
}

function deskrec(): number {
  let events = 0;
  const tracker = new CallTracker(
    AsteriskOptionsSchema.parse({ host: 'x', username: 'u', secret: 's' }),
    () => new Date(),
  );
  const parser = new AmiParser({
    banner: () => undefined,
    problem: () => undefined,
    message: (message) => {
      if (CallTracker.wants(message)) events += tracker.track(message).events.length;
    },
  });
  parser.push('Asterisk Call Manager/5.0.1\r\n');
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
  const rate = messages / seconds;
  console.log(
    `${name.padEnd(28)} ${(seconds * 1000).toFixed(1).padStart(8)} ms  ${Math.round(rate).toLocaleString('en-US').padStart(12)} messages/s  (result ${result})`,
  );
  return rate;
}

console.log(
  `${CALLS} queue calls, ${messages} AMI messages, ${(Buffer.byteLength(text) / 1e6).toFixed(1)} MB`,
);
const base = measure('baseline split', baseline);
const ours = measure('AmiParser + CallTracker', deskrec);
console.log(`ratio deskrec / baseline: ${(ours / base).toFixed(2)}`);
