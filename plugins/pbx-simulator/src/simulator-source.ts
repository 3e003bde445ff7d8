import { randomInt } from 'node:crypto';
import type {
  CallEventSink,
  CallEventSource,
  CallEventSourceCapabilities,
  Clock,
  Logger,
  SourceHealth,
  SourceState,
} from '@deskrec/core';
import { MinHeap } from './min-heap.js';
import type { SimulatorOptions } from './options.js';
import { realScheduler, type Scheduler } from './scheduler.js';
import { type PlannedCall, type PlannedEvent, plannedBefore, TrafficPlan } from './traffic-plan.js';

export const SIMULATOR_CAPABILITIES: CallEventSourceCapabilities = Object.freeze({
  http: false,
  persistentConnection: false,
});

export interface SimulatorDeps {
  clock: Clock;
  logger: Logger;
  /** Aborted on host shutdown: the simulator stops with it. */
  signal?: AbortSignal;
  /** Real timers unless given. */
  scheduler?: Scheduler;
}

/**
 * Emits planned traffic in real time. Timers pace it (one pending timer at most); event times are the
 * injected clock's time at start plus each event's planned offset, so they stay evenly spaced even
 * when a timer fires late and several due events go out together.
 */
export class SimulatorSource implements CallEventSource {
  readonly capabilities = SIMULATOR_CAPABILITIES;
  /** The seed of the current or last run. */
  seed: number | undefined;
  private state: SourceState = 'starting';
  private sink: CallEventSink | undefined;
  private plan: TrafficPlan | undefined;
  private readonly pending = new MinHeap<PlannedEvent>(plannedBefore);
  private nextCall: PlannedCall | undefined;
  private timer: unknown;
  private startedAtMs = 0;
  private startedPerf = 0;
  private lastEventAt: Date | undefined;
  private emitted = 0;
  private readonly onAbort = () => void this.stop();
  private readonly scheduler: Scheduler;

  constructor(
    private readonly options: SimulatorOptions,
    private readonly deps: SimulatorDeps,
  ) {
    this.scheduler = deps.scheduler ?? realScheduler;
  }

  async start(sink: CallEventSink): Promise<void> {
    if (this.state === 'connected') await this.stop();
    this.seed = this.options.seed ?? randomInt(0, 2 ** 32 - 1);
    this.plan = new TrafficPlan(this.options, this.seed);
    this.sink = sink;
    this.state = 'connected';
    this.emitted = 0;
    this.startedAtMs = this.deps.clock.now().getTime();
    this.startedPerf = this.scheduler.now();
    this.nextCall = this.plan.next();
    this.deps.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.deps.logger.info(
      { seed: this.seed, agents: this.options.agents.length, callsPerMinute: this.options.callsPerMinute },
      'call simulator started',
    );
    this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.deps.signal?.removeEventListener('abort', this.onAbort);
    this.pending.clear();
    this.nextCall = undefined;
    this.plan = undefined;
    this.sink = undefined;
    this.state = 'stopped';
  }

  health(): SourceHealth {
    const health: SourceHealth = { state: this.state, reconnects: 0 };
    if (this.lastEventAt) health.lastEventAt = this.lastEventAt;
    if (this.state === 'connected') {
      const done = !this.nextCall && this.pending.size === 0;
      health.detail = `${done ? 'finished' : 'running'}: ${this.emitted} events sent, seed ${this.seed}`;
    }
    return health;
  }

  /** Takes in every call that has arrived, emits every event that is due, then sleeps until the next one. */
  private tick(): void {
    this.timer = undefined;
    const sink = this.sink;
    if (!sink || !this.plan) return;
    const elapsed = this.scheduler.now() - this.startedPerf;
    while (this.nextCall && this.nextCall.arrivalMs <= elapsed) {
      for (const event of this.nextCall.events) this.pending.push(event);
      this.nextCall = this.plan.next();
    }
    for (let due = this.pending.peek(); due && due.offsetMs <= elapsed; due = this.pending.peek()) {
      this.pending.pop();
      const at = new Date(this.startedAtMs + due.offsetMs);
      try {
        sink.event({ ...due.event, at });
      } catch (error) {
        this.deps.logger.error({ err: error, callId: due.event.callId }, 'call-event sink failed');
      }
      this.emitted++;
      this.lastEventAt = at;
      // The sink may have stopped us.
      if (this.sink !== sink) return;
    }
    const wake = Math.min(this.pending.peek()?.offsetMs ?? Infinity, this.nextCall?.arrivalMs ?? Infinity);
    if (wake === Infinity) return;
    // Capped: a very low rate must not exceed setTimeout's 24.8-day limit; an early tick just sleeps again.
    this.timer = this.scheduler.setTimeout(() => this.tick(), Math.min(60_000, Math.max(0, wake - elapsed)));
  }
}
