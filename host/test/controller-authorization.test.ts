import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '@deskrec/core';
import { suite } from 'uvu';
import { CLOSE } from '../src/controller/index.js';
import type { WorkstationPresence } from '../src/workstations/ports.js';
import { type Harness, startController } from './support/controller-harness.js';
import { MemoryWorkstationDirectory } from './support/memory-directory.js';
import { hello, newIdentity, TestAgent, TOKEN } from './support/test-agent.js';

const test = suite('controller: admission and live authorization');
let h: Harness;
const agents: TestAgent[] = [];

test.before.each(async () => {
  h = await startController();
});
test.after.each(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
  await h.stop();
});

async function connect(): Promise<TestAgent> {
  const agent = await TestAgent.connect(h.url);
  agents.push(agent);
  return agent;
}

const captureStarted = {
  v: PROTOCOL_VERSION,
  type: 'capture.started',
  captureId: 'cap-1',
  startedAt: '2026-11-25T20:00:00Z',
};

test('a new agent goes pending → authorized → forbidden, each state pushed live', async () => {
  const identity = newIdentity();
  const agent = await connect();
  agent.send(hello(identity));
  const welcome = await agent.next('welcome');
  assert.equal(welcome.state, 'pending');
  assert.equal(welcome.workstationId, identity.workstationId);
  assert.equal(welcome.uploadUrl, h.directory.uploadUrl);
  assert.deepEqual(welcome.settings, h.directory.settings);
  assert.equal(h.directory.get('t1', identity.workstationId)?.state, 'pending');
  assert.equal(h.directory.connected[0]?.login, 'CONTOSO\\alice');
  assert.ok(h.controller.isOnline('t1', identity.workstationId));
  assert.deepEqual(h.events[0], {
    type: 'connected',
    tenantId: 't1',
    workstationId: identity.workstationId,
    state: 'pending',
    login: 'CONTOSO\\alice',
  });

  // A pending agent may not report captures.
  agent.send(captureStarted);
  assert.equal((await agent.next('error')).code, 'unauthorized');

  // The admin API authorizes: store first, then the live push.
  h.directory.setState('t1', identity.workstationId, 'authorized');
  h.controller.pushAuthorization('t1', identity.workstationId, 'authorized');
  assert.equal((await agent.next('authorization')).state, 'authorized');
  assert.equal((await agent.next('settings')).uploadUrl, h.directory.uploadUrl);

  agent.send(captureStarted);
  await agent.until(() => h.events.some((e) => e.type === 'capture'), 'the capture event');
  const capture = h.events.find((e) => e.type === 'capture');
  assert.equal(capture?.type === 'capture' && capture.message.captureId, 'cap-1');

  assert.ok(
    h.controller.send('t1', identity.workstationId, {
      v: PROTOCOL_VERSION,
      type: 'capture.stop',
      captureId: 'cap-1',
      reason: 'call ended',
    }),
  );
  assert.equal((await agent.next('capture.stop')).captureId, 'cap-1');

  h.directory.setState('t1', identity.workstationId, 'forbidden');
  h.controller.pushAuthorization('t1', identity.workstationId, 'forbidden');
  assert.equal((await agent.next('authorization')).state, 'forbidden');
  assert.equal((await agent.closed).code, CLOSE.forbidden);
  await agent.until(() => h.directory.disconnected.length === 1, 'the recorded disconnect');
  assert.ok(!h.controller.isOnline('t1', identity.workstationId));
  assert.ok(h.events.some((e) => e.type === 'disconnected' && e.workstationId === identity.workstationId));
});

test('a forbidden workstation stays forbidden on reconnect', async () => {
  const identity = newIdentity();
  const first = await connect();
  first.send(hello(identity));
  await first.next('welcome');
  await first.close();
  h.directory.setState('t1', identity.workstationId, 'forbidden');
  for (let i = 0; i < 2; i++) {
    const again = await connect();
    again.send(hello(identity));
    assert.equal((await again.next('welcome')).state, 'forbidden');
    assert.equal((await again.closed).code, CLOSE.forbidden);
  }
  assert.ok(!h.controller.isOnline('t1', identity.workstationId));
});

test('a wrong tenant token is rejected with an error frame and a 4xxx close', async () => {
  const agent = await connect();
  agent.send(hello(newIdentity('some-other-tenant-token-00000000')));
  const error = await agent.next('error');
  assert.equal(error.code, 'rejected');
  assert.equal(error.fatal, true);
  assert.match(error.message, /token/);
  assert.ok(!error.message.includes('some-other-tenant-token'), 'the token is not echoed');
  assert.equal((await agent.closed).code, CLOSE.rejected);
  assert.equal(h.directory.list().length, 0);
  assert.ok(
    h.logs.every((line) => !JSON.stringify(line).includes('some-other-tenant-token')),
    'tokens never reach the log',
  );
});

test('the same id with a different secret is refused and the conflict recorded', async () => {
  const identity = newIdentity();
  const owner = await connect();
  owner.send(hello(identity));
  await owner.next('welcome');
  const impostor = await connect();
  impostor.send(hello({ ...identity, workstationSecret: newIdentity().workstationSecret }));
  const error = await impostor.next('error');
  assert.equal(error.code, 'rejected');
  assert.match(error.message, /another secret/);
  assert.equal((await impostor.closed).code, CLOSE.rejected);
  assert.equal(h.directory.conflicts.length, 1);
  assert.equal(h.directory.conflicts[0]?.remoteAddress, '127.0.0.1');
  assert.ok(h.controller.isOnline('t1', identity.workstationId), 'the real agent stays connected');
});

test('token reset: the old token enrolls no new workstation, enrolled ones are still admitted', async () => {
  const enrolled = newIdentity();
  const first = await connect();
  first.send(hello(enrolled));
  await first.next('welcome');
  await first.close();
  h.directory.setState('t1', enrolled.workstationId, 'authorized');
  h.directory.resetToken('t1', 'tenant-one-token-after-reset-0000');

  const stranger = await connect();
  stranger.send(hello(newIdentity(TOKEN)));
  assert.equal((await stranger.next('error')).code, 'rejected');
  assert.equal((await stranger.closed).code, CLOSE.rejected);

  const back = await connect();
  back.send(hello(enrolled));
  assert.equal((await back.next('welcome')).state, 'authorized');
  assert.equal(h.directory.list().length, 1);
});

test('a newer connection of the same workstation replaces the older one', async () => {
  const identity = newIdentity();
  const older = await connect();
  older.send(hello(identity));
  await older.next('welcome');
  const newer = await connect();
  newer.send(hello(identity));
  await newer.next('welcome');
  assert.equal((await older.closed).code, CLOSE.replaced);
  assert.ok(h.controller.isOnline('t1', identity.workstationId));
  assert.ok(!h.events.some((e) => e.type === 'disconnected'), 'a replaced connection is no disconnect');
  h.directory.setState('t1', identity.workstationId, 'authorized');
  h.controller.pushAuthorization('t1', identity.workstationId, 'authorized');
  assert.equal((await newer.next('authorization')).state, 'authorized');
});

test('session updates the login and becomes an event; heartbeats refresh presence', async () => {
  const identity = newIdentity();
  const agent = await connect();
  agent.send(hello(identity, null));
  await agent.next('welcome');
  agent.send({ v: PROTOCOL_VERSION, type: 'session', login: 'CONTOSO\\bob' });
  agent.send({ v: PROTOCOL_VERSION, type: 'session', login: null });
  await agent.until(() => h.directory.logins.length === 2, 'two logins');
  assert.deepEqual(
    h.directory.logins.map((l) => l.login),
    ['CONTOSO\\bob', null],
  );
  assert.deepEqual(
    h.events.filter((e) => e.type === 'session').map((e) => e.type === 'session' && e.login),
    ['CONTOSO\\bob', null],
  );
});

test('settings changes reach authorized agents of the tenant only; deleted agents are closed', async () => {
  const authorized = newIdentity();
  const pending = newIdentity();
  const a = await connect();
  a.send(hello(authorized));
  await a.next('welcome');
  const p = await connect();
  p.send(hello(pending));
  await p.next('welcome');
  h.directory.setState('t1', authorized.workstationId, 'authorized');
  h.controller.pushAuthorization('t1', authorized.workstationId, 'authorized');
  await a.next('authorization');
  await a.next('settings');

  h.directory.settings = { ...h.directory.settings, fps: 2 };
  await h.controller.pushSettings('t1');
  assert.equal((await a.next('settings')).settings.fps, 2);

  h.directory.delete('t1', pending.workstationId);
  h.controller.pushAuthorization('t1', pending.workstationId, 'deleted');
  assert.equal((await p.next('authorization')).state, 'deleted');
  assert.equal((await p.closed).code, CLOSE.deleted);
  assert.equal(
    p.frames.filter((f) => f.type === 'settings').length,
    0,
    'the pending agent got no settings push',
  );
});

test('status reports the listening port and agents by state; metrics count them', async () => {
  const agent = await connect();
  agent.send(hello(newIdentity()));
  await agent.next('welcome');
  const status = h.controller.status();
  assert.equal(status.running, true);
  assert.equal(status.listening.tcp?.address, '127.0.0.1');
  assert.ok((status.listening.tcp?.port ?? 0) > 0);
  assert.equal(status.listening.tls, null);
  assert.equal(status.agents.pending, 1);
  const text = await h.controller.metricsRegistry.metrics();
  assert.match(text, /deskrec_controller_agents\{state="pending"\} 1/);
  assert.match(text, /deskrec_controller_messages_total\{direction="in",type="hello"\} 1/);
  assert.match(text, /deskrec_controller_messages_total\{direction="out",type="welcome"\} 1/);
});

test('a directory failure during hello closes with 1011; the agent can simply retry', async () => {
  await h.stop();
  class FlakyDirectory extends MemoryWorkstationDirectory {
    failures = 1;
    override async recordConnected(presence: WorkstationPresence): Promise<void> {
      if (this.failures-- > 0) throw new Error('database unavailable');
      return super.recordConnected(presence);
    }
  }
  const directory = new FlakyDirectory();
  directory.addTenant('t1', TOKEN);
  h = await startController({ directory });
  const identity = newIdentity();
  const first = await connect();
  first.send(hello(identity));
  const error = await first.next('error');
  assert.equal(error.code, 'internal');
  assert.ok(!error.message.includes('database'), 'internals stay in the log');
  assert.equal((await first.closed).code, CLOSE.internalError);
  assert.ok(h.logs.some((line) => line.level === 'error' && line.msg === 'recording the connection failed'));
  const second = await connect();
  second.send(hello(identity));
  assert.equal((await second.next('welcome')).state, 'pending');
});

test.run();
