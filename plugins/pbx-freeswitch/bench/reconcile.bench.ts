/**
 * Reconciliation with 1,000 live channels (500 bridged calls of a trunk leg and an agent leg): the
 * `show calls as json` answer parsed and applied to a tracker that already follows 500 calls, 50 of which
 * ended unseen while 50 others began unseen. Baseline in the same run: parsing the same answer without
 * reconciling. Run: npm run bench (from this package).
 */
import { CallTracker } from '../src/call-tracker.js';
import { decodeEvent, EslParser } from '../src/esl-parser.js';
import { parseLiveCalls } from '../src/esl-source.js';
import { FreeswitchOptionsSchema } from '../src/options.js';
import { bridge, create, type Leg, liveCall } from '../test/traffic.js';

const CALLS = 500;
const options = FreeswitchOptionsSchema.parse({ host: 'x', password: 'p' });
const uuid = (i: number, leg: number) =>
  `b0000000-0000-4000-8000-${(2 * i + leg).toString(16).padStart(12, '0')}`;
const legs = (i: number): [Leg, Leg] => [
  {
    uuid: uuid(i, 0),
    callId: uuid(i, 0),
    name: `sofia/external/+1555${i}@198.51.100.7`,
    direction: 'inbound',
    cidNum: `+1555${i}`,
    dest: '+15557770100',
  },
  {
    uuid: uuid(i, 1),
    callId: uuid(i, 0),
    name: `sofia/internal/${1000 + i}@10.0.0.20`,
    direction: 'outbound',
    user: String(1000 + i),
    cidNum: `+1555${i}`,
    dest: String(1000 + i),
  },
];

const known = Array.from({ length: CALLS }, (_, i) => i);
const live = Array.from({ length: CALLS }, (_, i) => i + 50);

// The events that made the tracker follow the known calls, decoded once.
const setupEvents: Record<string, string>[] = [];
const parser = new EslParser({
  frame: (frame) => {
    const event = decodeEvent('text/event-plain', frame.body);
    if (typeof event !== 'string') setupEvents.push(event);
  },
  problem: () => undefined,
});
for (const i of known) {
  const [a, b] = legs(i);
  parser.push(Buffer.from(create(a, 1800000000) + create(b, 1800000001) + bridge(a, b, 1800000002)));
}

function trackedTracker(): CallTracker {
  const tracker = new CallTracker(options, () => new Date());
  for (const event of setupEvents) tracker.track(event);
  return tracker;
}

const answer = JSON.stringify({ row_count: CALLS, rows: live.map((i) => liveCall(...legs(i))) });

function measure(name: string, run: (tracker: CallTracker) => number): number {
  const rounds = 20;
  let total = 0;
  let result = 0;
  for (let i = -2; i < rounds; i++) {
    const tracker = trackedTracker(); // set-up outside the timed part
    const start = process.hrtime.bigint();
    result = run(tracker);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (i >= 0) total += elapsed; // two warm-up rounds
  }
  const ms = total / rounds;
  console.log(
    `${name.padEnd(36)} ${ms.toFixed(2).padStart(8)} ms per 1,000 live channels  (result ${result})`,
  );
  return ms;
}

console.log(
  `${2 * CALLS} live channels, ${(Buffer.byteLength(answer) / 1e3).toFixed(0)} kB show calls answer`,
);
const base = measure('baseline: parse the answer', () => (parseLiveCalls(answer) as unknown[]).length);
const ours = measure('parse + CallTracker.reconcile', (tracker) => {
  tracker.beginReconcile();
  const result = tracker.reconcile(parseLiveCalls(answer) as [], new Date());
  return result.ended * 10_000 + result.started;
});
console.log(`ratio reconcile / baseline: ${(ours / base).toFixed(2)} (result = ended × 10,000 + started)`);
