/**
 * Reconciliation with 1,000 live channels (500 calls of a trunk and an agent): the CoreShowChannels answer
 * parsed and applied to a tracker that already follows 500 calls, 50 of which ended unseen while 50 others
 * began unseen. Baseline in the same run: parsing the same answer without reconciling.
 * Run: npm run bench (from this package).
 */
import { type AmiMessage, AmiParser, amiAction } from '../src/ami-parser.js';
import { CallTracker } from '../src/call-tracker.js';
import { AsteriskOptionsSchema } from '../src/options.js';

const CALLS = 500;
const options = AsteriskOptionsSchema.parse({ host: 'x', username: 'u', secret: 's' });

const chan = (i: number, leg: 'trunk' | 'agent') => ({
  channel:
    leg === 'trunk'
      ? `PJSIP/carrier-${(2 * i).toString(16).padStart(8, '0')}`
      : `PJSIP/${1000 + i}-${(2 * i + 1).toString(16).padStart(8, '0')}`,
  uniqueid: `1800000000.${2 * i + (leg === 'agent' ? 1 : 0)}`,
  linkedid: `1800000000.${2 * i}`,
  bridge: `bridge-${i}`,
});

// The tracker knows calls 0..CALLS-1; the PBX has calls 50..CALLS+49: 50 ended unseen, 50 began unseen.
const known = Array.from({ length: CALLS }, (_, i) => i);
const live = Array.from({ length: CALLS }, (_, i) => i + 50);

function trackedTracker(): CallTracker {
  const tracker = new CallTracker(options, () => new Date());
  for (const i of known) {
    for (const leg of ['trunk', 'agent'] as const) {
      const c = chan(i, leg);
      tracker.track({ event: 'Newchannel', channel: c.channel, uniqueid: c.uniqueid, linkedid: c.linkedid });
    }
    for (const [n, leg] of [
      [1, 'trunk'],
      [2, 'agent'],
    ] as const) {
      const c = chan(i, leg);
      tracker.track({
        event: 'BridgeEnter',
        channel: c.channel,
        uniqueid: c.uniqueid,
        linkedid: c.linkedid,
        bridgeuniqueid: c.bridge,
        bridgenumchannels: String(n),
      } as AmiMessage);
    }
  }
  return tracker;
}

const answer = [
  amiAction({ Response: 'Success', ActionID: 'r1', EventList: 'start', Message: 'Channels will follow' }),
  ...live.flatMap((i) =>
    (['trunk', 'agent'] as const).map((leg) => {
      const c = chan(i, leg);
      return amiAction({
        Event: 'CoreShowChannel',
        ActionID: 'r1',
        Channel: c.channel,
        Uniqueid: c.uniqueid,
        Linkedid: c.linkedid,
        Context: 'from-internal',
        CallerIDNum: leg === 'agent' ? String(1000 + i) : '+15550000',
        ChannelState: '6',
        ChannelStateDesc: 'Up',
        BridgeId: c.bridge,
        Duration: '00:01:00',
      });
    }),
  ),
  amiAction({
    Event: 'CoreShowChannelsComplete',
    ActionID: 'r1',
    EventList: 'Complete',
    ListItems: String(2 * CALLS),
  }),
].join('');

function parseRows(): AmiMessage[] {
  const rows: AmiMessage[] = [];
  const parser = new AmiParser({
    banner: () => undefined,
    problem: () => undefined,
    message: (m) => {
      if (m.event === 'CoreShowChannel') rows.push(m);
    },
  });
  parser.push('Asterisk Call Manager/5.0.1\r\n');
  parser.push(answer);
  return rows;
}

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
  `${2 * CALLS} live channels, ${(Buffer.byteLength(answer) / 1e3).toFixed(0)} kB CoreShowChannels answer`,
);
const base = measure('baseline: parse the answer', () => parseRows().length);
const ours = measure('parse + CallTracker.reconcile', (tracker) => {
  tracker.beginReconcile();
  const result = tracker.reconcile(parseRows(), new Date());
  return result.ended * 10_000 + result.started;
});
console.log(`ratio reconcile / baseline: ${(ours / base).toFixed(2)} (result = ended × 10,000 + started)`);
