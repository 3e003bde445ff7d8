import type { CallEvent, SourceProblem } from '@deskrec/core';
import { EslSource } from '../src/esl-source.js';
import { type FreeswitchOptionsInput, FreeswitchOptionsSchema } from '../src/options.js';
import { startFakeEsl } from './fake-esl.js';

/** A last call for an agent no traffic uses: once its end arrives, everything sent before it was processed. */
const SENTINEL_AGENT = '999999';
function sentinel(): string {
  const leg = `Unique-ID: sentinel-${Math.random()}\nChannel-Name: sofia/internal/${SENTINEL_AGENT}\nCall-Direction: inbound\nCaller-Username: ${SENTINEL_AGENT}\n`;
  const frame = (body: string) =>
    `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`;
  // Leading line breaks close whatever the traffic left open.
  return `\n\n${frame(`Event-Name: CHANNEL_BRIDGE\n${leg}\n`)}${frame(`Event-Name: CHANNEL_HANGUP_COMPLETE\n${leg}\n`)}`;
}

export interface Replay {
  events: CallEvent[];
  problems: SourceProblem[];
}

/** Plays raw event-socket wire text through a fake FreeSWITCH into a fresh source; returns what it reported. */
export async function replayEsl(
  traffic: string,
  options: Partial<FreeswitchOptionsInput> = {},
): Promise<Replay> {
  const fake = await startFakeEsl({ password: 'pw' });
  const source = new EslSource(
    FreeswitchOptionsSchema.parse({
      host: '127.0.0.1',
      port: fake.port,
      password: 'pw',
      ...options,
      agentExtensionPattern: `${options.agentExtensionPattern ?? '^\\d+$'}|^${SENTINEL_AGENT}$`,
      callerLegHeaders: [
        ...(options.callerLegHeaders ?? ['variable_sip_from_user', 'Caller-Username']),
        'Caller-Username',
      ],
    }),
  );
  const events: CallEvent[] = [];
  const problems: SourceProblem[] = [];
  let done: (() => void) | undefined;
  const finished = new Promise<void>((resolve) => (done = resolve));
  try {
    await source.start({
      event(event) {
        if (event.agent.value !== SENTINEL_AGENT) events.push(event);
        else if (event.type === 'call.ended') done?.();
      },
      problem: (problem) => problems.push(problem),
    });
    await fake.nextSession();
    // The live-call answer comes first: replies inside the traffic then meet no pending command.
    for (let i = 0; i < 500 && !source.health().details?.lastReconcile; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await fake.send(traffic);
    await fake.send(sentinel());
    await finished;
    return { events, problems };
  } finally {
    await source.stop();
    await fake.close();
  }
}

export const summary = (events: readonly CallEvent[]): string[] =>
  events.map((e) => `${e.type} ${e.callId} ${e.agent.value} ${e.direction}`);
