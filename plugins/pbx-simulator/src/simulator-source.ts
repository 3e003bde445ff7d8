import { randomInt } from 'node:crypto';
import path from 'node:path';
import type {
  CallEvent,
  CallEventSink,
  CallEventSource,
  CallEventSourceCapabilities,
  Clock,
  Logger,
  SourceHealth,
  SourceState,
} from '@deskrec/core';
import { writeCallAudio } from './call-audio.js';
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
  /** Where the `audio` option writes each call's recording (inside the plugin's data folder). */
  audioDir?: string;
}

/** An answered call whose audio is written when its last leg ends. */
interface AudioPlan {
  startMs: number;
  endMs: number;
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
  private readonly audioPlans = new Map<number, AudioPlan>();
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
    this.audioPlans.clear();
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

  private emit(sink: CallEventSink, event: CallEvent): void {
    try {
      sink.event(event);
    } catch (error) {
      this.deps.logger.error({ err: error, callId: event.callId }, 'call-event sink failed');
    }
    this.emitted++;
    this.lastEventAt = event.at;
  }

  /** Writes the call's audio, then sends its last call.ended with the file (without it if writing failed). */
  private async endWithAudio(sink: CallEventSink, due: PlannedEvent, at: Date, audio: AudioPlan) {
    const file = path.join(this.deps.audioDir!, `${due.event.callId.replace(/[^A-Za-z0-9._-]/g, '_')}.wav`);
    try {
      await writeCallAudio(file, (audio.endMs - audio.startMs) / 1000, (this.seed ?? 0) + due.call);
    } catch (error) {
      this.deps.logger.error({ err: error, callId: due.event.callId }, 'simulated call audio not written');
      if (this.sink === sink) this.emit(sink, { ...due.event, at });
      return;
    }
    if (this.sink !== sink) return;
    this.emit(sink, { ...due.event, at, audio: { path: file, contentType: 'audio/wav' } });
  }

  /** Takes in every call that has arrived, emits every event that is due, then sleeps until the next one. */
  private tick(): void {
    this.timer = undefined;
    const sink = this.sink;
    if (!sink || !this.plan) return;
    const elapsed = this.scheduler.now() - this.startedPerf;
    while (this.nextCall && this.nextCall.arrivalMs <= elapsed) {
      for (const event of this.nextCall.events) this.pending.push(event);
      const { legs } = this.nextCall;
      if (this.options.audio && this.deps.audioDir && legs.length) {
        this.audioPlans.set(this.nextCall.index, { startMs: legs[0]!.startMs, endMs: legs.at(-1)!.endMs });
      }
      this.nextCall = this.plan.next();
    }
    for (let due = this.pending.peek(); due && due.offsetMs <= elapsed; due = this.pending.peek()) {
      this.pending.pop();
      const at = new Date(this.startedAtMs + due.offsetMs);
      const audio = this.audioPlans.get(due.call);
      if (audio && due.event.type === 'call.ended' && due.offsetMs === audio.endMs) {
        this.audioPlans.delete(due.call);
        void this.endWithAudio(sink, due, at, audio);
        continue;
      }
      this.emit(sink, { ...due.event, at });
      // The sink may have stopped us.
      if (this.sink !== sink) return;
    }
    const wake = Math.min(this.pending.peek()?.offsetMs ?? Infinity, this.nextCall?.arrivalMs ?? Infinity);
    if (wake === Infinity) return;
    // Capped: a very low rate must not exceed setTimeout's 24.8-day limit; an early tick just sleeps again.
    this.timer = this.scheduler.setTimeout(() => this.tick(), Math.min(60_000, Math.max(0, wake - elapsed)));
  }
}
