import type { CallEvent, SourceProblem } from '@deskrec/core';
import { AmiSource } from '../src/ami-source.js';
import { type AsteriskOptionsInput, AsteriskOptionsSchema } from '../src/options.js';
import { type FakeAmiOptions, startFakeAmi } from './fake-ami.js';

/** A last call for an agent no traffic uses: once its end arrives, everything sent before it was processed. */
const SENTINEL_AGENT = '999999';
const sentinel = (id: string) =>
  [
    // Ends whatever the traffic left open (a capture may stop mid-message, without a final line break).
    '',
    '',
    'Event: BridgeEnter',
    `Channel: PJSIP/${SENTINEL_AGENT}-ffffffff`,
    `Uniqueid: sentinel.${id}`,
    `Linkedid: sentinel.${id}`,
    'Context: sentinel',
    `BridgeUniqueid: sentinel.${id}`,
    // Asterisk's count: the sentinel's far end is not in the traffic.
    'BridgeNumChannels: 2',
    '',
    'Event: Hangup',
    `Channel: PJSIP/${SENTINEL_AGENT}-ffffffff`,
    `Uniqueid: sentinel.${id}`,
    '',
    '',
  ].join('\r\n');

/** The same for AMI 1.x (legacy mode): two channels linked by `Event: Bridge`, then a Hangup. */
const legacySentinel = (id: string) =>
  [
    '',
    '',
    'Event: Newchannel',
    `Channel: SIP/${SENTINEL_AGENT}-ffffffff`,
    `Uniqueid: sentinel.${id}`,
    'Context: sentinel',
    '',
    'Event: Newchannel',
    'Channel: SIP/far-fffffffe',
    `Uniqueid: sentinel.${id}.far`,
    '',
    'Event: Bridge',
    'Bridgestate: Link',
    `Channel1: SIP/far-fffffffe`,
    `Channel2: SIP/${SENTINEL_AGENT}-ffffffff`,
    `Uniqueid1: sentinel.${id}.far`,
    `Uniqueid2: sentinel.${id}`,
    '',
    'Event: Hangup',
    `Channel: SIP/${SENTINEL_AGENT}-ffffffff`,
    `Uniqueid: sentinel.${id}`,
    '',
    '',
  ].join('\r\n');

export interface Replay {
  events: CallEvent[];
  problems: SourceProblem[];
}

/** Plays `traffic` through a fake AMI server into a fresh source and returns what the source reported. */
export async function replayAmi(
  traffic: string,
  options: Partial<AsteriskOptionsInput> = {},
  server: Partial<FakeAmiOptions> = {},
): Promise<Replay> {
  const fake = await startFakeAmi({ username: 'deskrec', secret: 'pw', ...server });
  const source = new AmiSource(
    AsteriskOptionsSchema.parse({
      host: '127.0.0.1',
      port: fake.port,
      username: 'deskrec',
      secret: 'pw',
      ...options,
      ...(options.agentContexts ? { agentContexts: [...options.agentContexts, 'sentinel'] } : {}),
      agentExtensionPattern: `${options.agentExtensionPattern ?? '^\\d+$'}|^${SENTINEL_AGENT}$`,
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
    await fake.send(traffic);
    const legacy = options.legacyMode && /Manager\/1\./.test(server.banner ?? '');
    await fake.send((legacy ? legacySentinel : sentinel)(String(Math.random())));
    await finished;
    return { events, problems };
  } finally {
    await source.stop();
    await fake.close();
  }
}

/** `type callId agent direction`, one string per event, for readable assertions. */
export const summary = (events: readonly CallEvent[]): string[] =>
  events.map((e) => `${e.type} ${e.callId} ${e.agent.value} ${e.direction}`);
