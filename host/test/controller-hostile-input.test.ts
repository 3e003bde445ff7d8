import assert from 'node:assert/strict';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '@deskrec/core';
import { suite } from 'uvu';
import { CLOSE } from '../src/controller/index.js';
import { type Harness, startController } from './support/controller-harness.js';
import { hello, newIdentity, TestAgent } from './support/test-agent.js';

const test = suite('controller: hostile and broken input');
let h: Harness;
const agents: TestAgent[] = [];

test.before.each(async () => {
  h = await startController({ helloTimeoutMs: 300 });
});
test.after.each(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
  await h.stop();
});

async function admitted(): Promise<TestAgent> {
  const agent = await TestAgent.connect(h.url);
  agents.push(agent);
  agent.send(hello(newIdentity()));
  await agent.next('welcome');
  return agent;
}

/** The host still admits and serves a fresh agent: nothing the hostile one did broke it. */
async function hostStillServes(): Promise<void> {
  const probe = await admitted();
  probe.send({ v: PROTOCOL_VERSION, type: 'session', login: 'probe' });
  await probe.until(() => h.directory.logins.some((l) => l.login === 'probe'), 'the probe session');
}

const cases: [string, unknown, string, RegExp][] = [
  ['malformed JSON', '{"v":1,"type":', 'malformed', /not JSON/],
  ['a JSON array', '[1,2,3]', 'malformed', /JSON object/],
  ['an unknown type', { v: PROTOCOL_VERSION, type: 'rm -rf' }, 'unknown-type', /unknown message type/],
  [
    'missing fields',
    { v: PROTOCOL_VERSION, type: 'capture.stopped', captureId: 'c' },
    'invalid',
    /stoppedAt/,
  ],
  ['wrong types', { v: PROTOCOL_VERSION, type: 'session', login: 42 }, 'invalid', /login/],
  [
    'extra fields',
    { v: PROTOCOL_VERSION, type: 'heartbeat', at: '2026-11-25T20:00:00Z', shell: 'yes' },
    'invalid',
    /shell/,
  ],
];

for (const [name, input, code, pattern] of cases) {
  test(`${name} after hello: error frame, log line, connection kept`, async () => {
    const agent = await admitted();
    agent.send(input);
    const error = await agent.next('error');
    assert.equal(error.code, code);
    assert.equal(error.fatal, false);
    assert.match(error.message, pattern);
    assert.ok(
      h.logs.some((line) => line.level === 'warn' && line.fields.code === code),
      'a log line names the code',
    );
    agent.send({ v: PROTOCOL_VERSION, type: 'session', login: 'still-here' });
    await agent.until(
      () => h.directory.logins.some((l) => l.login === 'still-here'),
      'the next valid message',
    );
  });
}

test('malformed first message: fatal error frame, then close', async () => {
  const agent = await TestAgent.connect(h.url);
  agents.push(agent);
  agent.send('not json at all');
  const error = await agent.next('error');
  assert.equal(error.code, 'malformed');
  assert.equal(error.fatal, true);
  assert.equal((await agent.closed).code, CLOSE.badRequest);
  await hostStillServes();
});

test('a broken hello never puts its token into the log', async () => {
  const agent = await TestAgent.connect(h.url);
  agents.push(agent);
  // V8 quotes such input in its parse error ("Unexpected token 'S', "SECRET-TO…" is not valid JSON").
  agent.send('SECRET-TOKEN-VALUE-123456');
  assert.equal((await agent.next('error')).code, 'malformed');
  await agent.closed;
  assert.ok(
    h.logs.some((line) => line.fields.code === 'malformed'),
    'the problem is logged',
  );
  assert.ok(!JSON.stringify(h.logs).includes('SECRET-TOKEN'), 'without the token');
});

test('a first message other than hello is refused', async () => {
  const agent = await TestAgent.connect(h.url);
  agents.push(agent);
  agent.send({ v: PROTOCOL_VERSION, type: 'session', login: 'x' });
  const error = await agent.next('error');
  assert.match(error.message, /first message must be hello/);
  assert.equal((await agent.closed).code, CLOSE.badRequest);
});

test('no hello within the timeout: error frame, then close', async () => {
  const agent = await TestAgent.connect(h.url);
  agents.push(agent);
  const error = await agent.next('error');
  assert.match(error.message, /no hello/);
  assert.equal((await agent.closed).code, CLOSE.helloTimeout);
});

test('a wrong protocol version gets a clear error frame, then close', async () => {
  const agent = await TestAgent.connect(h.url);
  agents.push(agent);
  agent.send({ ...hello(newIdentity()), v: 99 });
  const error = await agent.next('error');
  assert.equal(error.code, 'protocol-version');
  assert.equal(error.fatal, true);
  assert.match(error.message, /version 99 is not supported.*version 1/);
  assert.equal((await agent.closed).code, CLOSE.protocolVersion);
  assert.equal(h.directory.list().length, 0);
});

test('a message over maxPayload closes that connection only', async () => {
  const agent = await admitted();
  agent.send({
    v: PROTOCOL_VERSION,
    type: 'capture.refused',
    captureId: 'c',
    reason: 'x'.repeat(MAX_MESSAGE_BYTES),
  });
  const closed = await agent.closed;
  assert.equal(closed.code, 1009, 'ws closes with "message too big"');
  await hostStillServes();
  const text = await h.controller.metricsRegistry.metrics();
  assert.match(text, /deskrec_controller_errors_total\{code="too-large"\} 1/);
});

test('capture messages before authorization are refused', async () => {
  const agent = await admitted();
  for (const message of [
    { v: PROTOCOL_VERSION, type: 'capture.started', captureId: 'c', startedAt: '2026-11-25T20:00:00Z' },
    { v: PROTOCOL_VERSION, type: 'capture.refused', captureId: 'c', reason: 'no' },
  ]) {
    agent.send(message);
    const error = await agent.next('error');
    assert.equal(error.code, 'unauthorized');
  }
  assert.ok(!h.events.some((e) => e.type === 'capture'));
});

test('a flood of invalid messages is cut off after maxInvalidMessages', async () => {
  await h.stop();
  h = await startController({ maxInvalidMessages: 5 });
  const agent = await admitted();
  for (let i = 0; i < 10; i++) agent.send('garbage');
  assert.equal((await agent.closed).code, CLOSE.badRequest);
  assert.equal(agent.frames.filter((f) => f.type === 'error').length, 6);
  await hostStillServes();
});

test('plain HTTP requests get 426, not a hang', async () => {
  const response = await fetch(h.url.replace('ws:', 'http:'));
  assert.equal(response.status, 426);
  await response.body?.cancel();
});

test.run();
