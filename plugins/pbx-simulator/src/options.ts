import { z } from 'zod';
import { expandAgentSpec } from './agents.js';

const Seconds = z.number().min(0).max(86_400);
const Probability = z.number().min(0).max(1);

const AgentsSchema = z
  .union([
    z.string().min(1),
    z
      .array(z.object({ extension: z.string().trim().min(1).max(64).describe('The agent’s extension') }))
      .min(1),
  ])
  .transform((value, ctx) => {
    const spec = typeof value === 'string' ? value : value.map((a) => a.extension).join(',');
    const expanded = expandAgentSpec(spec);
    if (!expanded.ok) {
      ctx.addIssue({ code: 'custom', message: expanded.message });
      return z.NEVER;
    }
    return expanded.extensions;
  });

const DurationSchema = z
  .object({
    medianSeconds: z
      .number()
      .positive()
      .max(86_400)
      .default(180)
      .describe('Median talk time of one call leg'),
    p90Seconds: z
      .number()
      .positive()
      .max(86_400)
      .default(480)
      .describe('90th percentile of talk time; with the median it shapes a log-normal distribution'),
    minSeconds: Seconds.default(10).describe('Shortest call leg; shorter draws are clamped'),
    maxSeconds: Seconds.default(3600).describe('Longest call leg; longer draws are clamped'),
  })
  .superRefine((d, ctx) => {
    if (d.p90Seconds <= d.medianSeconds) {
      ctx.addIssue({ code: 'custom', path: ['p90Seconds'], message: 'must be greater than medianSeconds' });
    }
    if (d.maxSeconds < d.minSeconds) {
      ctx.addIssue({ code: 'custom', path: ['maxSeconds'], message: 'must not be less than minSeconds' });
    }
  });

const SecondsRange = (min: number, max: number, what: string) =>
  z
    .object({
      min: Seconds.default(min).describe(`Shortest ${what}`),
      max: Seconds.default(max).describe(`Longest ${what}`),
    })
    .refine((r) => r.max >= r.min, { path: ['max'], message: 'must not be less than min' });

const DirectionsSchema = z
  .object({
    inbound: z.number().min(0).default(0.6).describe('Weight of inbound calls (customer calls the agent)'),
    outbound: z.number().min(0).default(0.3).describe('Weight of outbound calls (agent dials out)'),
    internal: z.number().min(0).default(0.1).describe('Weight of internal calls (extension to extension)'),
  })
  .refine((d) => d.inbound + d.outbound + d.internal > 0, { message: 'at least one weight must be above 0' });

export const SimulatorOptionsSchema = z.object({
  agents: AgentsSchema.describe(
    'The simulated agents: a range like "1001-1050" (commas join several), or a list of { extension }',
  ),
  callsPerMinute: z
    .number()
    .positive()
    .max(600_000)
    .default(60)
    .describe('Average new calls per minute across all agents (Poisson arrivals); 600 = 10 per second'),
  duration: DurationSchema.default({
    medianSeconds: 180,
    p90Seconds: 480,
    minSeconds: 10,
    maxSeconds: 3600,
  }).describe('Talk time of each call leg (log-normal); a hold adds to it'),
  ringSeconds: SecondsRange(1, 8, 'ringing before the agent answers (or the caller gives up)')
    .default({ min: 1, max: 8 })
    .describe('Ringing time: the gap between a call arriving and the agent’s call.started'),
  directions: DirectionsSchema.default({ inbound: 0.6, outbound: 0.3, internal: 0.1 }).describe(
    'Share of inbound, outbound and internal calls, as relative weights',
  ),
  transferProbability: Probability.default(0.1).describe(
    'Chance that an answered call is transferred: call.ended for the first agent, call.started for another with the same callId',
  ),
  transferGapSeconds: SecondsRange(2, 15, 'gap between the first agent leaving and the second answering')
    .default({ min: 2, max: 15 })
    .describe('How long a transferred caller waits for the second agent'),
  holdProbability: Probability.default(0.15).describe(
    'Chance that a call leg includes a hold; CallEvents have no hold event, so a hold only lengthens the leg',
  ),
  holdSeconds: SecondsRange(10, 120, 'hold').default({ min: 10, max: 120 }).describe('Length of a hold'),
  abandonedProbability: Probability.default(0.05).describe(
    'Chance that the caller hangs up while the agent’s phone rings: no call.started for that agent',
  ),
  abandonedReportsEnd: z
    .boolean()
    .default(true)
    .describe(
      'Whether an abandoned call still sends call.ended (reason "abandoned") without a start, as many PBXs do',
    ),
  wrapUpSeconds: Seconds.default(5).describe('Least idle time an agent gets between two calls'),
  allowOverlap: z
    .boolean()
    .default(false)
    .describe(
      'Let an agent be on several calls at once; otherwise a call finding no idle agent is unanswered',
    ),
  maxCalls: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Stop generating after this many calls (a fixed load); unset runs until stopped'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional()
    .describe('Seed for reproducible traffic; unset picks a random one (logged at start)'),
  callIdPrefix: z.string().max(64).default('sim-').describe('Prefix of generated call ids'),
  audio: z
    .boolean()
    .default(false)
    .describe(
      'Write a synthetic conversation (8 kHz WAV) per answered call; its last call.ended brings it as the call’s audio',
    ),
  tenant: z
    .string()
    .max(128)
    .optional()
    .describe('Tenant slug put on every event; unset leaves it to the host'),
});

export type SimulatorOptions = z.output<typeof SimulatorOptionsSchema>;
export type SimulatorOptionsInput = z.input<typeof SimulatorOptionsSchema>;
