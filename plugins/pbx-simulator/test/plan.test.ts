import assert from 'node:assert/strict';
import { CallEventSchema } from '@deskrec/core';
import { suite } from 'uvu';
import { type PlannedEvent, simulateCalls } from '../src/index.js';

const plan = suite('pbx-simulator: planned traffic');

const BASE = {
  agents: '1001-1050',
  callsPerMinute: 120,
  duration: { medianSeconds: 120, p90Seconds: 400, minSeconds: 5, maxSeconds: 1800 },
  directions: { inbound: 0.6, outbound: 0.3, internal: 0.1 },
  transferProbability: 0.2,
  abandonedProbability: 0.1,
  holdProbability: 0.25,
} as const;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};
const share = (n: number, of: number) => n / of;

plan('the same seed gives the same traffic; another seed does not', () => {
  const a = simulateCalls({ ...BASE, seed: 42 }, 300);
  const b = simulateCalls({ ...BASE, seed: 42 }, 300);
  const c = simulateCalls({ ...BASE, seed: 43 }, 300);
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    a.events.map((e) => [e.offsetMs, e.event.agent.value]),
    c.events.map((e) => [e.offsetMs, e.event.agent.value]),
  );
  assert.equal(a.calls.length, 300);
});

plan('every event is a valid CallEvent, in time order with ends first on ties', () => {
  const { events } = simulateCalls({ ...BASE, seed: 1, tenant: 'acme' }, 1000);
  for (const planned of events) {
    const parsed = CallEventSchema.safeParse({ ...planned.event, at: new Date(planned.offsetMs) });
    assert.ok(parsed.success, JSON.stringify(planned));
    assert.equal(planned.event.tenant, 'acme');
  }
  for (let i = 1; i < events.length; i++) {
    const [prev, cur] = [events[i - 1]!, events[i]!];
    assert.ok(prev.offsetMs <= cur.offsetMs, 'offsets never go back');
    if (prev.offsetMs === cur.offsetMs)
      assert.ok(!(prev.event.type === 'call.started' && cur.event.type === 'call.ended'));
  }
});

plan('1000 calls: each start has one later end for the same agent and call; no agent on two calls', () => {
  const { calls, events } = simulateCalls({ ...BASE, seed: 2024 }, 1000);
  const open = new Map<string, PlannedEvent>(); // agent -> its open start
  const seenLegs = new Set<string>();
  let unmatchedEnds = 0;
  for (const planned of events) {
    const { type, callId, agent } = planned.event;
    const leg = `${callId}/${agent.value}`;
    if (type === 'call.started') {
      assert.equal(
        open.has(agent.value),
        false,
        `agent ${agent.value} started ${callId} while on another call`,
      );
      assert.equal(seenLegs.has(leg), false, `second start of ${leg}`);
      seenLegs.add(leg);
      open.set(agent.value, planned);
    } else {
      const start = open.get(agent.value);
      if (start && start.event.callId === callId) {
        assert.ok(start.offsetMs < planned.offsetMs, `${leg} ends after it starts`);
        open.delete(agent.value);
      } else {
        unmatchedEnds++;
        assert.equal(
          planned.event.reason,
          'abandoned',
          `an end without a start is only an abandoned call: ${leg}`,
        );
      }
    }
  }
  assert.equal(open.size, 0, 'every start was ended');
  assert.equal(unmatchedEnds, calls.filter((c) => c.outcome === 'abandoned').length);
});

plan('transfers: the first agent ends, another agent starts the same call after the configured gap', () => {
  const { calls } = simulateCalls({ ...BASE, seed: 9, transferGapSeconds: { min: 3, max: 9 } }, 1000);
  const transferred = calls.filter((c) => c.outcome === 'transferred');
  assert.ok(transferred.length > 0);
  for (const call of transferred) {
    const [a, b] = call.legs;
    assert.ok(a && b && call.legs.length === 2);
    assert.notEqual(a.extension, b.extension);
    const gap = b.startMs - a.endMs;
    assert.ok(gap >= 3000 && gap <= 9000, `gap ${gap} ms`);
    const types = call.events.map((e) => `${e.event.type}@${e.event.agent.value}`);
    assert.deepEqual(types, [
      `call.started@${a.extension}`,
      `call.ended@${a.extension}`,
      `call.started@${b.extension}`,
      `call.ended@${b.extension}`,
    ]);
    assert.equal(call.events[1]!.event.reason, 'transferred');
    assert.ok(call.events.every((e) => e.event.callId === call.callId));
  }
});

plan('rates, shares and durations match the options (generous statistical bounds)', () => {
  const n = 4000;
  const { calls } = simulateCalls(
    {
      ...BASE,
      seed: 77,
      agents: '2000-2999', // plenty of idle agents, so outcomes are not limited by staffing
      holdProbability: 0,
    },
    n,
  );
  const spanMinutes = calls[calls.length - 1]!.arrivalMs / 60_000;
  const rate = n / spanMinutes;
  assert.ok(rate > 120 * 0.9 && rate < 120 * 1.1, `calls per minute ${rate.toFixed(1)}`);

  const byDirection = (d: string) => share(calls.filter((c) => c.direction === d).length, n);
  assert.ok(Math.abs(byDirection('inbound') - 0.6) < 0.05, `inbound ${byDirection('inbound')}`);
  assert.ok(Math.abs(byDirection('outbound') - 0.3) < 0.05, `outbound ${byDirection('outbound')}`);
  assert.ok(Math.abs(byDirection('internal') - 0.1) < 0.04, `internal ${byDirection('internal')}`);

  const abandoned = share(calls.filter((c) => c.outcome === 'abandoned').length, n);
  assert.ok(Math.abs(abandoned - 0.1) < 0.03, `abandoned ${abandoned}`);
  assert.equal(calls.filter((c) => c.outcome === 'unanswered').length, 0);
  const answered = calls.filter((c) => c.legs.length > 0);
  const transferred = share(calls.filter((c) => c.outcome === 'transferred').length, answered.length);
  assert.ok(Math.abs(transferred - 0.2) < 0.04, `transferred ${transferred}`);

  const lengths = answered.flatMap((c) => c.legs.map((l) => (l.endMs - l.startMs) / 1000));
  const med = median(lengths);
  assert.ok(med > 120 * 0.8 && med < 120 * 1.2, `median leg ${med} s`);
  const p90 = [...lengths].sort((a, b) => a - b)[Math.floor(lengths.length * 0.9)]!;
  assert.ok(p90 > 400 * 0.75 && p90 < 400 * 1.25, `p90 leg ${p90} s`);
  assert.ok(
    lengths.every((s) => s >= 5 && s <= 1800),
    'legs stay within min and max',
  );
});

plan('holds lengthen legs by the configured hold time', () => {
  const { calls } = simulateCalls(
    { ...BASE, seed: 5, holdProbability: 1, holdSeconds: { min: 20, max: 30 } },
    200,
  );
  const legs = calls.flatMap((c) => c.legs);
  assert.ok(legs.length > 0);
  for (const leg of legs) {
    assert.ok(leg.holdMs >= 20_000 && leg.holdMs <= 30_000);
    assert.ok(leg.endMs - leg.startMs >= 5000 + leg.holdMs);
  }
});

plan('too few agents: calls finding nobody idle are unanswered and emit nothing', () => {
  const { calls, events } = simulateCalls(
    {
      ...BASE,
      seed: 3,
      agents: '1001-1002',
      callsPerMinute: 60,
      abandonedProbability: 0,
      transferProbability: 0,
    },
    300,
  );
  const unanswered = calls.filter((c) => c.outcome === 'unanswered');
  assert.ok(unanswered.length > 100, `unanswered ${unanswered.length}`);
  assert.ok(unanswered.every((c) => c.events.length === 0));
  assert.equal(events.length, 2 * (calls.length - unanswered.length));
});

plan('allowOverlap lets an agent take several calls at once', () => {
  const { events } = simulateCalls(
    { ...BASE, seed: 3, agents: '1001', callsPerMinute: 60, allowOverlap: true, abandonedProbability: 0 },
    200,
  );
  let onCall = 0;
  let most = 0;
  for (const e of events) {
    onCall += e.event.type === 'call.started' ? 1 : -1;
    most = Math.max(most, onCall);
  }
  assert.ok(most > 1, `at most ${most} simultaneous calls`);
});

plan('abandoned calls without end reports emit nothing', () => {
  const { calls } = simulateCalls(
    { ...BASE, seed: 8, abandonedProbability: 1, abandonedReportsEnd: false },
    50,
  );
  assert.ok(calls.every((c) => c.outcome === 'abandoned' && c.events.length === 0 && c.rang));
});

plan.run();
