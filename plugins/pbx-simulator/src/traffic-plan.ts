import type { CallDirection, CallEvent } from '@deskrec/core';
import { MinHeap } from './min-heap.js';
import type { SimulatorOptions } from './options.js';
import { logNormal, SeededRandom } from './random.js';

/** A call event without its absolute time: `offsetMs` after the simulation started. */
export interface PlannedEvent {
  offsetMs: number;
  /** Index of the call it belongs to. */
  call: number;
  /** Creation order, the last tie-breaker, so equal offsets always sort the same way. */
  seq: number;
  event: Omit<CallEvent, 'at'>;
}

export interface PlannedLeg {
  extension: string;
  startMs: number;
  endMs: number;
  holdMs: number;
}

/**
 * answered: one agent; transferred: two legs with the same callId; abandoned: the caller hung up while
 * an agent's phone rang; unanswered: no idle agent (only without `allowOverlap`).
 */
export type CallOutcome = 'answered' | 'transferred' | 'abandoned' | 'unanswered';

export interface PlannedCall {
  index: number;
  callId: string;
  arrivalMs: number;
  direction: Exclude<CallDirection, 'unknown'>;
  outcome: CallOutcome;
  /** Agents who answered, in order. */
  legs: PlannedLeg[];
  /** For abandoned calls: the agent whose phone rang. */
  rang?: string;
  events: PlannedEvent[];
}

/** Ends sort before starts at the same instant, so an agent's next call never overlaps the last one. */
export function plannedBefore(a: PlannedEvent, b: PlannedEvent): boolean {
  if (a.offsetMs !== b.offsetMs) return a.offsetMs < b.offsetMs;
  if (a.event.type !== b.event.type) return a.event.type === 'call.ended';
  return a.seq < b.seq;
}

interface Busy {
  until: number;
  agent: number;
}

/**
 * Generates calls one at a time in arrival order, from a seed, without timers: the same options and seed
 * always give the same calls. Agents are tracked so that (without `allowOverlap`) nobody is on two calls.
 */
export class TrafficPlan {
  private readonly random: SeededRandom;
  private readonly extensions: readonly string[];
  /** Idle agents (indices); `slot[i]` is agent i's place in it, or -1 while busy. */
  private readonly idle: number[];
  private readonly slot: Int32Array;
  private readonly busy = new MinHeap<Busy>((a, b) => a.until < b.until);
  private readonly meanGapMs: number;
  private clockMs = 0;
  private calls = 0;
  private seq = 0;

  constructor(
    private readonly options: SimulatorOptions,
    readonly seed: number,
  ) {
    this.random = new SeededRandom(seed);
    this.extensions = options.agents;
    this.idle = this.extensions.map((_, i) => i);
    this.slot = Int32Array.from(this.idle);
    this.meanGapMs = 60_000 / options.callsPerMinute;
  }

  /** The next call, or undefined once `maxCalls` calls were generated. */
  next(): PlannedCall | undefined {
    const { options, random } = this;
    if (options.maxCalls !== undefined && this.calls >= options.maxCalls) return undefined;
    const index = this.calls++;
    this.clockMs += random.exponential(1 / this.meanGapMs);
    const arrivalMs = Math.round(this.clockMs);
    this.release(arrivalMs);
    const call: PlannedCall = {
      index,
      callId: `${options.callIdPrefix}${this.seed}-${index}`,
      arrivalMs,
      direction: random.weighted(options.directions),
      outcome: 'unanswered',
      legs: [],
      events: [],
    };
    const remote = call.direction === 'internal' ? `8${this.digits(3)}` : `+1555${this.digits(7)}`;
    const ringMs = this.secondsBetween(options.ringSeconds);
    const abandoned = random.chance(options.abandonedProbability);
    const first = this.takeAgent();
    if (first === undefined) return call;

    if (abandoned) {
      call.outcome = 'abandoned';
      call.rang = this.extensions[first];
      this.hold(first, arrivalMs + ringMs);
      if (options.abandonedReportsEnd) {
        call.events.push(this.event(call, 'call.ended', first, remote, arrivalMs + ringMs, 'abandoned'));
      }
      return call;
    }

    const startA = arrivalMs + ringMs;
    const legA = this.drawLeg();
    const endA = startA + legA.lengthMs;
    const transfer = random.chance(options.transferProbability);
    this.hold(first, endA + options.wrapUpSeconds * 1000);
    const second = transfer ? this.takeAgent() : undefined;
    call.outcome = second === undefined ? 'answered' : 'transferred';
    call.events.push(this.event(call, 'call.started', first, remote, startA));
    call.events.push(
      this.event(call, 'call.ended', first, remote, endA, second === undefined ? undefined : 'transferred'),
    );
    call.legs.push({ extension: this.extensions[first]!, startMs: startA, endMs: endA, holdMs: legA.holdMs });
    if (second !== undefined) {
      const startB = endA + this.secondsBetween(options.transferGapSeconds);
      const legB = this.drawLeg();
      const endB = startB + legB.lengthMs;
      // Reserved from now, not from startB: simpler, and still never two calls at once.
      this.hold(second, endB + options.wrapUpSeconds * 1000);
      call.events.push(this.event(call, 'call.started', second, remote, startB));
      call.events.push(this.event(call, 'call.ended', second, remote, endB));
      call.legs.push({
        extension: this.extensions[second]!,
        startMs: startB,
        endMs: endB,
        holdMs: legB.holdMs,
      });
    }
    return call;
  }

  /** Talk time (log-normal, clamped) plus a hold when one is drawn. */
  private drawLeg(): { lengthMs: number; holdMs: number } {
    const { duration, holdProbability, holdSeconds } = this.options;
    const talk = Math.min(
      duration.maxSeconds,
      Math.max(duration.minSeconds, logNormal(this.random, duration.medianSeconds, duration.p90Seconds)),
    );
    const holdMs = this.random.chance(holdProbability) ? this.secondsBetween(holdSeconds) : 0;
    return { lengthMs: Math.round(talk * 1000) + holdMs, holdMs };
  }

  private secondsBetween(range: { min: number; max: number }): number {
    return Math.round(this.random.uniform(range.min, range.max) * 1000);
  }

  private digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(this.random.int(10));
    return out;
  }

  private event(
    call: PlannedCall,
    type: CallEvent['type'],
    agent: number,
    remote: string,
    offsetMs: number,
    reason?: string,
  ): PlannedEvent {
    const extension = this.extensions[agent]!;
    const agentParty = { number: extension };
    const remoteParty = { number: remote };
    const inbound = call.direction === 'inbound';
    const event: Omit<CallEvent, 'at'> = {
      type,
      callId: call.callId,
      direction: call.direction,
      agent: { by: 'extension', value: extension },
      from: inbound ? remoteParty : agentParty,
      to: inbound ? agentParty : remoteParty,
    };
    if (this.options.tenant !== undefined) event.tenant = this.options.tenant;
    if (reason !== undefined) event.reason = reason;
    return { offsetMs, call: call.index, seq: this.seq++, event };
  }

  /** An idle agent at random, now taken; any agent with `allowOverlap`; undefined when all are busy. */
  private takeAgent(): number | undefined {
    if (this.options.allowOverlap) return this.random.int(this.extensions.length);
    if (this.idle.length === 0) return undefined;
    const agent = this.idle[this.random.int(this.idle.length)]!;
    const at = this.slot[agent]!;
    const last = this.idle.pop()!;
    if (last !== agent) {
      this.idle[at] = last;
      this.slot[last] = at;
    }
    this.slot[agent] = -1;
    return agent;
  }

  /** Keeps a taken agent busy until `untilMs`. */
  private hold(agent: number, untilMs: number): void {
    if (this.options.allowOverlap) return;
    this.busy.push({ until: untilMs, agent });
  }

  /** Agents whose calls (and wrap-up) ended by `nowMs` become idle again. */
  private release(nowMs: number): void {
    for (let top = this.busy.peek(); top && top.until <= nowMs; top = this.busy.peek()) {
      this.busy.pop();
      this.slot[top.agent] = this.idle.length;
      this.idle.push(top.agent);
    }
  }
}
