/**
 * 1) Planning speed of simulateCalls against a baseline: validating the same events with CallEventSchema,
 *    the least a host does per event (ratio > 1: the generator outpaces the consumer).
 * 2) Real-time pacing: the timer-driven source at a high rate; how late events leave against their plan.
 * Run: npm run bench
 */
import { performance } from 'node:perf_hooks';
import { type CallEvent, CallEventSchema, silentLogger } from '@deskrec/core';
import { SimulatorOptionsSchema, SimulatorSource, simulateCalls } from '../src/index.js';

const CALLS = Number(process.env.CALLS ?? 200_000);
const RATE_PER_SECOND = Number(process.env.RATE ?? 5000);
const SECONDS = Number(process.env.SECONDS ?? 5);

// 50 calls/s at ~4 min per call keeps ~12,000 agents busy: staffed, so nearly every call is answered.
const options = { seed: 1, agents: '10000-29999', callsPerMinute: 3000, transferProbability: 0.1 };

simulateCalls(options, 20_000); // warm-up
let started = performance.now();
const { events } = simulateCalls(options, CALLS);
const planSeconds = (performance.now() - started) / 1000;

const base = new Date();
started = performance.now();
for (const planned of events) CallEventSchema.parse({ ...planned.event, at: base });
const parseSeconds = (performance.now() - started) / 1000;

const planRate = events.length / planSeconds;
const parseRate = events.length / parseSeconds;
console.log(`node ${process.version}; ${CALLS} calls, ${events.length} events, 20,000 agents`);
console.log(
  `simulateCalls                 ${(CALLS / planSeconds).toFixed(0).padStart(9)} calls/s ${planRate.toFixed(0).padStart(9)} events/s`,
);
console.log(`baseline CallEventSchema.parse                   ${parseRate.toFixed(0).padStart(9)} events/s`);
console.log(`ratio simulateCalls / baseline: ${(planRate / parseRate).toFixed(2)}`);

// Real time: emission lateness = wall time since start - planned offset.
const lateness: number[] = [];
let t0 = 0;
let startAt = 0;
const source = new SimulatorSource(
  SimulatorOptionsSchema.parse({
    ...options,
    callsPerMinute: RATE_PER_SECOND * 60,
    duration: { medianSeconds: 1, p90Seconds: 3, minSeconds: 0.2, maxSeconds: 10 },
    ringSeconds: { min: 0, max: 0.5 },
    wrapUpSeconds: 0,
  }),
  { clock: { now: () => new Date(startAt) }, logger: silentLogger },
);
startAt = Date.now();
t0 = performance.now();
await source.start({
  event: (e: CallEvent) => void lateness.push(performance.now() - t0 - (e.at.getTime() - startAt)),
  problem: () => {},
});
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
await source.stop();
lateness.sort((a, b) => a - b);
const pct = (p: number) =>
  lateness[Math.min(lateness.length - 1, Math.floor(lateness.length * p))]!.toFixed(2);
console.log(
  `real time at ${RATE_PER_SECOND} calls/s for ${SECONDS} s: ${lateness.length} events (${(lateness.length / SECONDS).toFixed(0)}/s); ` +
    `lateness p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${pct(1)} ms`,
);
