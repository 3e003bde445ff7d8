import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Logger } from '@deskrec/core';
import { suite } from 'uvu';
import { AmiSource } from '../src/ami-source.js';
import { type AsteriskOptionsInput, AsteriskOptionsSchema } from '../src/options.js';
import { startFakeAmi, toCrlf } from './fake-ami.js';
import { replayAmi, summary } from './replay.js';

const transcript = (name: string) =>
  toCrlf(fs.readFileSync(new URL(`./transcripts/${name}.txt`, import.meta.url), 'utf8'));

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), what);
}

/** Collects every log line as text, to check that secrets never reach the logs. */
function recordingLogger(lines: string[]): Logger {
  const log = (obj: object | string, msg?: string) => lines.push(`${JSON.stringify(obj)} ${msg ?? ''}`);
  const logger: Logger = { trace: log, debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

const source = (port: number, extra: Partial<AsteriskOptionsInput>, logger?: Logger) =>
  new AmiSource(
    AsteriskOptionsSchema.parse({
      host: '127.0.0.1',
      port,
      username: 'deskrec',
      secret: 'pw',
      reconnectMinSeconds: 0.02,
      reconnectMaxSeconds: 0.05,
      ...extra,
    }),
    logger ? { logger } : {},
  );

const sink = { event() {}, problem() {} };
const session = suite('pbx-asterisk: session');

session('login sends the event mask; serverFilter adds an Action: Filter', async () => {
  const fake = await startFakeAmi({ username: 'deskrec', secret: 'pw' });
  const s = source(fake.port, { eventMask: 'call,agent', serverFilter: true });
  try {
    await s.start(sink);
    await fake.nextSession();
    await until(() => fake.actions.some((a) => a.action === 'Filter'), 'a Filter action was sent');
    const login = fake.actions.find((a) => a.action === 'Login');
    assert.equal(login?.events, 'call,agent');
    const filter = fake.actions.find((a) => a.action === 'Filter');
    assert.equal(filter?.operation, 'Add');
    assert.match(filter?.filter ?? '', /BridgeEnter/);
  } finally {
    await s.stop();
    await fake.close();
  }
});

session('a refused login is retried with backoff and the secret never shows', async () => {
  const fake = await startFakeAmi({ username: 'deskrec', secret: 'the-right-one' });
  const lines: string[] = [];
  const s = source(fake.port, { secret: 'wrong-s3cret' }, recordingLogger(lines));
  try {
    await s.start(sink);
    await until(() => fake.actions.filter((a) => a.action === 'Login').length >= 3, 'login is retried');
    const health = s.health();
    assert.notEqual(health.state, 'connected');
    assert.match(JSON.stringify(health), /login refused: Authentication failed/);
    assert.ok(!JSON.stringify(health).includes('wrong-s3cret'));
    assert.ok(lines.length > 0 && lines.every((line) => !line.includes('wrong-s3cret')), 'no secret in logs');
  } finally {
    await s.stop();
    await fake.close();
  }
});

session('a missing Pong makes the source reconnect', async () => {
  const fake = await startFakeAmi({ username: 'deskrec', secret: 'pw', answerPings: false });
  const s = source(fake.port, { pingIntervalSeconds: 0.05, pingTimeoutSeconds: 0.1 });
  try {
    await s.start(sink);
    await fake.nextSession();
    await fake.nextSession();
    await until(() => s.health().reconnects >= 1, 'reconnects counted');
    fake.answerPings = true;
    const pings = () => fake.actions.filter((a) => a.action === 'Ping').length;
    const before = pings();
    await until(() => pings() >= before + 3, 'pings continue on the new session');
    assert.equal(s.health().state, 'connected');
  } finally {
    await s.stop();
    await fake.close();
  }
});

session('the source waits for a server that is not there yet', async () => {
  const fake = await startFakeAmi({ username: 'deskrec', secret: 'pw' });
  const port = fake.port;
  await fake.close();
  const s = source(port, {});
  try {
    await s.start(sink);
    await until(
      () => /ECONNREFUSED/.test(s.health().detail ?? ''),
      'connection refused is reported in health',
    );
    assert.equal(s.health().state, 'disconnected');
  } finally {
    await s.stop();
  }
  assert.equal(s.health().state, 'stopped');
});

const mapping = suite('pbx-asterisk: mapping options');

mapping('agentIdentity caller-id takes CallerIDNum', async () => {
  const { events } = await replayAmi(transcript('inbound-answered'), { agentIdentity: 'caller-id' });
  assert.deepEqual(summary(events), [
    'call.started 1700000100.1 1001 inbound',
    'call.ended 1700000100.1 1001 inbound',
  ]);
  assert.deepEqual(events[0]?.from, { number: '+15551230001', name: 'Carol Caller' });
  assert.deepEqual(events[0]?.to, { number: '1001' });
  assert.equal(events[1]?.reason, 'Normal Clearing');
});

mapping('agentContexts limits which channels are agents', async () => {
  const { events } = await replayAmi(transcript('internal-call'), { agentContexts: ['elsewhere'] });
  assert.deepEqual(events, []);
});

mapping('trunkChannelPatterns decide direction', async () => {
  // Declaring only `^SIP/1002-` a trunk turns 1001's internal call into an outbound one.
  const { events } = await replayAmi(transcript('internal-call'), { trunkChannelPatterns: ['^SIP/1002-'] });
  assert.deepEqual(summary(events), [
    'call.started 1700000700.16 1001 outbound',
    'call.ended 1700000700.16 1001 outbound',
  ]);
});

mapping('agentExtensionPattern excludes extensions', async () => {
  const { events } = await replayAmi(transcript('internal-call'), { agentExtensionPattern: '^1001$' });
  assert.deepEqual(summary(events), [
    'call.started 1700000700.16 1001 outbound',
    'call.ended 1700000700.16 1001 outbound',
  ]);
});

mapping('invalid options name the field', () => {
  const result = AsteriskOptionsSchema.safeParse({
    host: 'pbx',
    username: 'u',
    secret: 's',
    agentExtensionPattern: '(',
  });
  assert.equal(result.success, false);
  assert.match(JSON.stringify(result.error?.issues), /agentExtensionPattern/);
});

session.run();
mapping.run();
