import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Logger } from '@deskrec/core';
import { suite } from 'uvu';
import { EslSource } from '../src/esl-source.js';
import { type FreeswitchOptionsInput, FreeswitchOptionsSchema } from '../src/options.js';
import { frameDump, startFakeEsl } from './fake-esl.js';
import { replayEsl, summary } from './replay.js';

const dumpText = (name: string) => fs.readFileSync(new URL(`./dumps/${name}.txt`, import.meta.url), 'utf8');

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), what);
}

function recordingLogger(lines: string[]): Logger {
  const log = (obj: object | string, msg?: string) => lines.push(`${JSON.stringify(obj)} ${msg ?? ''}`);
  const logger: Logger = { trace: log, debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

const source = (port: number, extra: Partial<FreeswitchOptionsInput>, logger?: Logger) =>
  new EslSource(
    FreeswitchOptionsSchema.parse({
      host: '127.0.0.1',
      port,
      password: 'pw',
      reconnectMinSeconds: 0.02,
      reconnectMaxSeconds: 0.05,
      ...extra,
    }),
    logger ? { logger } : {},
  );
const sink = { event() {}, problem() {} };

const session = suite('pbx-freeswitch: session');

session('json subscription gives the same call events as plain', async () => {
  for (const name of [
    'inbound-answered',
    'outbound-bridged',
    'hangup-before-answer',
    'blind-transfer',
    'internal-call',
  ]) {
    const plain = await replayEsl(frameDump(dumpText(name), 'plain'));
    const json = await replayEsl(frameDump(dumpText(name), 'json'), { format: 'json' });
    assert.deepEqual(json.problems, []);
    assert.deepEqual(json.events, plain.events, name);
  }
});

session('subscribes with the chosen format and the channel events used', async () => {
  const fake = await startFakeEsl({ password: 'pw' });
  const s = source(fake.port, { format: 'json' });
  try {
    await s.start(sink);
    await fake.nextSession();
    await fake.connection?.expect('api show calls as json');
    assert.deepEqual(fake.commands, [
      'auth pw',
      'event json CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE SHUTDOWN RECORD_START RECORD_STOP CUSTOM callcenter::info',
      'api show calls as json',
    ]);
  } finally {
    await s.stop();
    await fake.close();
  }
});

session('callcenterEvents: false leaves mod_callcenter out of the subscription', async () => {
  const fake = await startFakeEsl({ password: 'pw' });
  const s = source(fake.port, { callcenterEvents: false });
  try {
    await s.start(sink);
    await fake.nextSession();
    assert.equal(
      fake.commands[1],
      'event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE SHUTDOWN RECORD_START RECORD_STOP',
    );
  } finally {
    await s.stop();
    await fake.close();
  }
});

session('recordingEvents: false leaves RECORD_START/RECORD_STOP out of the subscription', async () => {
  const fake = await startFakeEsl({ password: 'pw' });
  const s = source(fake.port, { callcenterEvents: false, recordingEvents: false });
  try {
    await s.start(sink);
    await fake.nextSession();
    assert.equal(
      fake.commands[1],
      'event plain CHANNEL_CREATE CHANNEL_ANSWER CHANNEL_BRIDGE CHANNEL_HANGUP_COMPLETE SHUTDOWN',
    );
  } finally {
    await s.stop();
    await fake.close();
  }
});

session('a refused password is retried with backoff and never logged', async () => {
  const fake = await startFakeEsl({ password: 'the-right-one' });
  const lines: string[] = [];
  const s = source(fake.port, { password: 'wrong-pa55' }, recordingLogger(lines));
  try {
    await s.start(sink);
    await until(() => fake.commands.filter((c) => c.startsWith('auth')).length >= 3, 'auth is retried');
    assert.match(s.health().detail ?? '', /authentication refused: -ERR invalid/);
    assert.notEqual(s.health().state, 'connected');
    assert.ok(lines.length > 0 && lines.every((line) => !line.includes('wrong-pa55')), 'no password in logs');
    assert.ok(!JSON.stringify(s.health()).includes('wrong-pa55'));
  } finally {
    await s.stop();
    await fake.close();
  }
});

session('a keep-alive without reply makes the source reconnect', async () => {
  const fake = await startFakeEsl({ password: 'pw', answerPings: false });
  const s = source(fake.port, { pingIntervalSeconds: 0.05, pingTimeoutSeconds: 0.1 });
  try {
    await s.start(sink);
    await fake.nextSession();
    await fake.nextSession();
    await until(() => s.health().reconnects >= 1, 'reconnect counted');
    fake.answerPings = true;
    const pings = () => fake.commands.filter((c) => c === 'api version').length;
    const before = pings();
    await until(() => pings() >= before + 3, 'keep-alives continue');
    assert.equal(s.health().state, 'connected');
  } finally {
    await s.stop();
    await fake.close();
  }
});

const mapping = suite('pbx-freeswitch: mapping options');

mapping('startOn answer starts the agent at CHANNEL_ANSWER', async () => {
  const { events } = await replayEsl(frameDump(dumpText('inbound-answered'), 'plain'), { startOn: 'answer' });
  assert.deepEqual(summary(events), [
    'call.started a1f0c5d2-1111-4c1e-9a01-000000000001 1001 inbound',
    'call.ended a1f0c5d2-1111-4c1e-9a01-000000000001 1001 inbound',
  ]);
  assert.equal(events[0]?.at.getTime(), 1700001004600);
  assert.deepEqual(events[0]?.from, { number: '+15551230001' });
  assert.equal(events[1]?.reason, 'NORMAL_CLEARING');
});

mapping('a trunk pattern that matches nothing turns the external leg into a phone', async () => {
  const { events } = await replayEsl(frameDump(dumpText('outbound-bridged'), 'plain'), {
    trunkChannelPatterns: ['^nothing/'],
  });
  // The gateway leg's destination is not an extension, so it is still no agent; with no trunk it is internal.
  assert.deepEqual(summary(events), [
    'call.started c3a2e7f4-3333-4c1e-9a01-000000000003 1002 internal',
    'call.ended c3a2e7f4-3333-4c1e-9a01-000000000003 1002 internal',
  ]);
});

mapping('calleeLegHeaders choose where the callee’s extension is read', async () => {
  const { events } = await replayEsl(frameDump(dumpText('internal-call'), 'plain'), {
    calleeLegHeaders: ['Caller-Callee-ID-Number'],
  });
  // The dumps carry no Caller-Callee-ID-Number, so only the caller is an agent.
  assert.deepEqual(
    events.map((e) => `${e.type} ${e.agent.value}`),
    ['call.started 1001', 'call.ended 1001'],
  );
});

mapping('invalid options name the field', () => {
  const result = FreeswitchOptionsSchema.safeParse({
    host: 'fs',
    password: 'x',
    trunkChannelPatterns: ['('],
  });
  assert.equal(result.success, false);
  assert.match(JSON.stringify(result.error?.issues), /trunkChannelPatterns/);
});

session.run();
mapping.run();
