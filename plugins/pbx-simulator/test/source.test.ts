import assert from 'node:assert/strict';
import {
  type CallEvent,
  CallEventSchema,
  type CallEventSink,
  type SourceProblem,
  silentLogger,
} from '@deskrec/core';
import { suite } from 'uvu';
import {
  type SimulatorOptionsInput,
  SimulatorOptionsSchema,
  SimulatorSource,
  simulateCalls,
} from '../src/index.js';

const source = suite('pbx-simulator: source on real timers');

/** Fast traffic: calls of 20–200 ms arriving 50 per second, so a short test sees many of them. */
const FAST: SimulatorOptionsInput = {
  agents: '3001-3100',
  callsPerMinute: 3000,
  duration: { medianSeconds: 0.05, p90Seconds: 0.12, minSeconds: 0.02, maxSeconds: 0.2 },
  ringSeconds: { min: 0, max: 0.01 },
  transferGapSeconds: { min: 0, max: 0.02 },
  holdSeconds: { min: 0, max: 0.02 },
  wrapUpSeconds: 0,
  transferProbability: 0.2,
  abandonedProbability: 0.1,
};

const FIXED_START = Date.parse('2026-11-25T09:00:00Z');

class Collecting implements CallEventSink {
  readonly events: CallEvent[] = [];
  readonly problems: SourceProblem[] = [];
  private wanted = Infinity;
  private reached: (() => void) | undefined;
  event(event: CallEvent): void {
    this.events.push(event);
    if (this.events.length >= this.wanted) this.reached?.();
  }
  problem(problem: SourceProblem): void {
    this.problems.push(problem);
  }
  count(n: number): Promise<void> {
    this.wanted = n;
    return this.events.length >= n ? Promise.resolve() : new Promise((resolve) => (this.reached = resolve));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

function create(options: Partial<SimulatorOptionsInput> = {}, signal?: AbortSignal) {
  return new SimulatorSource(SimulatorOptionsSchema.parse({ ...FAST, ...options }), {
    clock: { now: () => new Date(FIXED_START) },
    logger: silentLogger,
    signal,
  });
}

source('a fixed number of calls arrives exactly as planned, timed by the injected clock', async () => {
  const options = { seed: 11, maxCalls: 40 };
  const planned = simulateCalls({ ...FAST, ...options }, 40).events;
  const sim = create(options);
  const sink = new Collecting();
  await sim.start(sink);
  await sink.count(planned.length);
  await sleep(50);
  await sim.stop();
  assert.equal(sink.events.length, planned.length);
  sink.events.forEach((event, i) => {
    const want = planned[i]!;
    assert.deepEqual({ ...event, at: undefined }, { ...want.event, at: undefined }, `event ${i}`);
    assert.equal(event.at.getTime(), FIXED_START + want.offsetMs, `event ${i} time`);
    assert.ok(CallEventSchema.safeParse(event).success);
  });
  assert.equal(sim.health().lastEventAt?.getTime(), FIXED_START + planned.at(-1)!.offsetMs);
});

source('stop at a high rate leaves no timer and delivers nothing afterwards', async () => {
  const before = timers();
  const sim = create({ callsPerMinute: 60_000 });
  const sink = new Collecting();
  await sim.start(sink);
  await sink.count(200);
  assert.equal(sim.health().state, 'connected');
  await sim.stop();
  await sim.stop();
  const count = sink.events.length;
  assert.equal(sim.health().state, 'stopped');
  assert.equal(timers(), before, 'no timer left after stop');
  await sleep(100);
  assert.equal(sink.events.length, count, 'nothing after stop');
  for (const event of sink.events) assert.ok(CallEventSchema.safeParse(event).success);
});

source('a random seed is chosen and reported when none is given; restarting begins afresh', async () => {
  const sim = create({ maxCalls: 3 });
  const sink = new Collecting();
  await sim.start(sink);
  const seed = sim.seed;
  assert.equal(typeof seed, 'number');
  await sink.count(1);
  assert.match(sim.health().detail ?? '', new RegExp(`seed ${seed}`));
  await sim.stop();
  const again = new Collecting();
  await sim.start(again);
  await again.count(1);
  await sim.stop();
  assert.ok(again.events[0]!.callId.includes(String(sim.seed)));
});

source('the host shutdown signal stops it', async () => {
  const before = timers();
  const controller = new AbortController();
  const sim = create({ callsPerMinute: 60_000 }, controller.signal);
  const sink = new Collecting();
  await sim.start(sink);
  await sink.count(20);
  controller.abort();
  assert.equal(sim.health().state, 'stopped');
  assert.equal(timers(), before);
});

source('a throwing sink does not stop the traffic', async () => {
  const sim = create({ seed: 4, maxCalls: 10, abandonedProbability: 0 });
  let calls = 0;
  const throwing: CallEventSink = {
    event() {
      calls++;
      throw new Error('sink down');
    },
    problem() {},
  };
  await sim.start(throwing);
  for (let i = 0; i < 100 && calls < 20; i++) await sleep(20);
  await sim.stop();
  assert.ok(calls >= 20, `the sink saw ${calls} events`);
});

source.run();
