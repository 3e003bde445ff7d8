import assert from 'node:assert/strict';
import net from 'node:net';
import { PROTOCOL_VERSION } from '@deskrec/core';
import { suite } from 'uvu';
import { CLOSE } from '../src/controller/index.js';
import { type Harness, startController } from './support/controller-harness.js';
import { hello, newIdentity, TestAgent } from './support/test-agent.js';

const test = suite('controller: connection and enrollment limits');
let h: Harness | undefined;
const agents: TestAgent[] = [];
const sockets: net.Socket[] = [];

test.after.each(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
  await h?.stop();
  h = undefined;
});

async function admitted(identity = newIdentity(), login = 'CONTOSO\\alice'): Promise<TestAgent> {
  const agent = await TestAgent.connect(h!.url);
  agents.push(agent);
  agent.send(hello(identity, login));
  await agent.next('welcome');
  return agent;
}

/** A raw socket on the controller port; resolves with what the host wrote before it closed, if it did. */
function rawSocket(): Promise<{ socket: net.Socket; closed: Promise<string> }> {
  const port = Number(new URL(h!.url).port);
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
    });
    const closed = new Promise<string>((done) => socket.on('close', () => done(text)));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** The recording agent still works: a session message reaches the host. */
async function stillServes(agent: TestAgent, login: string): Promise<void> {
  agent.send({ v: PROTOCOL_VERSION, type: 'session', login });
  await agent.until(() => h!.directory.logins.some((l) => l.login === login), `the session of ${login}`);
}

test('sockets over the per-address limit are cut with a reason; the admitted agent keeps working', async () => {
  h = await startController({ maxConnectionsPerAddress: 3 });
  const agent = await admitted();
  await rawSocket();
  await rawSocket();
  const over = await rawSocket();
  const text = await over.closed;
  assert.match(text, /^HTTP\/1\.1 503 Service Unavailable/);
  assert.match(text, /connection refused: 127\.0\.0\.1 has 3 connections, the limit per address/);
  await stillServes(agent, 'CONTOSO\\still-here');
  const line = h.logs.find((l) => l.msg.startsWith('connection refused:'));
  assert.equal(line?.level, 'warn');
  assert.equal(line?.fields.limit, 'address');
});

test('a flood over the total limit is refused without a log flood, and a freed place is usable again', async () => {
  h = await startController({ maxConnections: 2, maxConnectionsPerAddress: 100 });
  const agent = await admitted();
  const idle = await rawSocket();
  const refused = await Promise.all(Array.from({ length: 50 }, () => rawSocket()));
  for (const { closed } of refused) assert.match(await closed, /the controller has 2 connections, its limit/);
  assert.equal(h.logs.filter((l) => l.msg.startsWith('connection refused:')).length, 1, 'one line per 10 s');
  idle.socket.destroy();
  await idle.closed;
  await new Promise((r) => setTimeout(r, 50));
  const second = await admitted();
  await stillServes(second, 'CONTOSO\\bob');
  await stillServes(agent, 'CONTOSO\\alice2');
});

test('a tenant token enrolls at most N new workstations a minute; known ones still connect', async () => {
  h = await startController({ enrollmentsPerMinute: 3 });
  const known = newIdentity();
  await admitted(known);
  await admitted();
  await admitted();
  const extra = await TestAgent.connect(h.url);
  agents.push(extra);
  extra.send(hello(newIdentity()));
  const error = await extra.next('error');
  assert.equal(error.code, 'rejected');
  assert.equal(error.fatal, true);
  assert.match(error.message, /too many new workstations for this tenant token \(limit 3 a minute\)/);
  assert.equal((await extra.closed).code, CLOSE.tooMany);
  assert.ok(h.logs.some((l) => l.msg === 'enrollment refused' && l.level === 'warn'));
  await agents[0]!.close();
  const again = await admitted(known, 'CONTOSO\\known');
  await stillServes(again, 'CONTOSO\\known-again');
  assert.equal(h.directory.list().length, 3, 'the refused one left no record');
});

test('no more new workstations than the pending cap', async () => {
  h = await startController({ maxPendingWorkstations: 2 });
  await admitted();
  await admitted();
  const extra = await TestAgent.connect(h.url);
  agents.push(extra);
  extra.send(hello(newIdentity()));
  const error = await extra.next('error');
  assert.match(error.message, /^2 workstations already wait for authorization \(limit 2\)/);
  assert.equal((await extra.closed).code, CLOSE.tooMany);
});

test.run();
