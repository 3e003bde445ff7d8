import { silentLogger } from '@deskrec/core';
import { type CallEventPeer, callEventSourceKit } from '@deskrec/core/testing';
import plugin, {
  type Scheduler,
  type SimulatorOptionsInput,
  SimulatorOptionsSchema,
  SimulatorSource,
  simulateCalls,
} from '../src/index.js';

/**
 * For a simulator the "PBX" is time itself: the peer is a virtual-time scheduler, and its traffic is
 * "let this many milliseconds pass". The events expected are those simulateCalls plans for the same seed.
 */
class VirtualTime implements Scheduler, CallEventPeer<number> {
  private nowMs = 0;
  private readonly timers = new Map<number, { at: number; run: () => void }>();
  private nextId = 1;

  now(): number {
    return this.nowMs;
  }
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.nowMs + ms, run });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  async nextSession(): Promise<void> {}
  /** Advances time by `ms`, firing each timer when its moment comes. */
  async send(ms: number): Promise<void> {
    const end = this.nowMs + ms;
    for (;;) {
      const due = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!due || due[1].at > end) break;
      this.timers.delete(due[0]);
      this.nowMs = Math.max(this.nowMs, due[1].at);
      due[1].run();
    }
    this.nowMs = end;
  }
  async close(): Promise<void> {
    this.timers.clear();
  }
}

const START = Date.parse('2026-11-25T08:00:00Z');
const OPTIONS: SimulatorOptionsInput = {
  agents: '1001-1020',
  callsPerMinute: 30,
  seed: 20261125,
  transferProbability: 0.3,
  abandonedProbability: 0.1,
};
const WINDOW_MS = 15 * 60_000;
const planned = simulateCalls(OPTIONS as SimulatorOptionsInput & { seed: number }, 1000).events.filter(
  (e) => e.offsetMs <= WINDOW_MS,
);

callEventSourceKit<number>({
  name: 'pbx-simulator (virtual time)',
  capabilities: plugin.capabilities,
  createPeer: async () => new VirtualTime(),
  createSource: (peer) =>
    new SimulatorSource(SimulatorOptionsSchema.parse(OPTIONS), {
      clock: { now: () => new Date(START) },
      logger: silentLogger,
      scheduler: peer as VirtualTime,
    }),
  scenarios: [
    {
      name: `the first ${WINDOW_MS / 60_000} minutes of seeded traffic (${planned.length} events)`,
      traffic: WINDOW_MS,
      expect: planned.map(({ event, offsetMs }) => ({
        type: event.type,
        callId: event.callId,
        agent: event.agent,
        direction: event.direction,
        at: new Date(START + offsetMs),
      })),
    },
  ],
  // The simulator reads no input, so there is nothing malformed to send.
  malformed: [],
});
