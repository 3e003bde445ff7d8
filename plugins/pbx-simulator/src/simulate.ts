import { type SimulatorOptionsInput, SimulatorOptionsSchema } from './options.js';
import { type PlannedCall, type PlannedEvent, plannedBefore, TrafficPlan } from './traffic-plan.js';

export interface Simulation {
  seed: number;
  calls: PlannedCall[];
  /** Every call's events, in the order a source emits them. */
  events: PlannedEvent[];
}

/**
 * Plans `count` calls without timers (for load benchmarks and tests): the same options give the same
 * calls and events. Options are validated like the plugin's; `maxCalls` is ignored in favour of `count`.
 */
export function simulateCalls(options: SimulatorOptionsInput & { seed: number }, count: number): Simulation {
  const parsed = SimulatorOptionsSchema.parse({ ...options, maxCalls: count });
  const plan = new TrafficPlan(parsed, options.seed);
  const calls: PlannedCall[] = [];
  for (let call = plan.next(); call; call = plan.next()) calls.push(call);
  const events = calls.flatMap((c) => c.events).sort((a, b) => (plannedBefore(a, b) ? -1 : 1));
  return { seed: options.seed, calls, events };
}
