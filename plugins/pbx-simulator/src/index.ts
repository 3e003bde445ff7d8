import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { SimulatorOptionsSchema } from './options.js';
import { SIMULATOR_CAPABILITIES, SimulatorSource } from './simulator-source.js';

export { expandAgentSpec, MAX_AGENTS } from './agents.js';
export {
  type SimulatorOptions,
  type SimulatorOptionsInput,
  SimulatorOptionsSchema,
} from './options.js';
export { realScheduler, type Scheduler } from './scheduler.js';
export { type Simulation, simulateCalls } from './simulate.js';
export { SIMULATOR_CAPABILITIES, SimulatorSource } from './simulator-source.js';
export {
  type CallOutcome,
  type PlannedCall,
  type PlannedEvent,
  type PlannedLeg,
  plannedBefore,
  TrafficPlan,
} from './traffic-plan.js';

export default definePlugin({
  id: 'pbx-simulator',
  kind: 'call-events',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'Simulated call traffic for demos and load tests',
  options: SimulatorOptionsSchema,
  capabilities: SIMULATOR_CAPABILITIES,
  create: (options, context) =>
    new SimulatorSource(options, {
      clock: context.clock,
      logger: context.logger,
      signal: context.signal,
      audioDir: `${context.dataDir}/audio`,
    }),
});
