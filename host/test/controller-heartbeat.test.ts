import assert from 'node:assert/strict';
import { PROTOCOL_VERSION } from '@deskrec/core';
import { suite } from 'uvu';
import { type Harness, startController } from './support/controller-harness.js';
import { hello, newIdentity, TestAgent } from './support/test-agent.js';

const test = suite('controller: heartbeats, slow agents and shutdown');
let h: Harness;

test.after.each(async () => {
  await h.stop();
});

test('a half-open agent (answers no pings) is terminated after one unanswered ping', async () => {
  h = await startController({ heartbeatIntervalMs: 100 });
  const silent = await TestAgent.connect(h.url, { autoPong: false });
  const healthy = await TestAgent.connect(h.url);
  const identity = newIdentity();
  silent.send(hello(identity));
  await silent.next('welcome');
  healthy.send(hello(newIdentity()));
  await healthy.next('welcome');
  const closed = await silent.closed;
  assert.equal(closed.code, 1006, 'terminated, not closed politely: the peer is presumed gone');
  // A sweep pings and clears the flag, the next finds no pong and terminates: at most two intervals after
  // the agent's last sign of life (two pings if its hello landed just after a sweep).
  assert.ok(silent.pings >= 1 && silent.pings <= 2, `${silent.pings} pings before the cut`);
  await healthy.until(() => healthy.pings >= silent.pings + 3, 'more pings to the healthy agent');
  assert.ok(healthy.ws.readyState === healthy.ws.OPEN, 'an agent that answers pings stays connected');
  await healthy.until(() => h.directory.disconnected.length === 1, 'the recorded disconnect');
  assert.equal(h.directory.disconnected[0]?.workstationId, identity.workstationId);
  const text = await h.controller.metricsRegistry.metrics();
  assert.match(text, /deskrec_controller_errors_total\{code="heartbeat-timeout"\} 1/);
  await healthy.close();
});

test('an agent that stops reading is dropped without stalling the others', async () => {
  h = await startController({ maxBufferedBytes: 64 * 1024 });
  const slowIdentity = newIdentity();
  const fastIdentity = newIdentity();
  const slow = await TestAgent.connect(h.url);
  const fast = await TestAgent.connect(h.url);
  slow.send(hello(slowIdentity));
  fast.send(hello(fastIdentity));
  await slow.next('welcome');
  await fast.next('welcome');
  slow.ws.pause(); // stops reading: the kernel buffers fill, then the host's send buffer grows
  const stop = (i: number) =>
    ({ v: PROTOCOL_VERSION, type: 'capture.stop', captureId: `cap-${i}`, reason: 'x'.repeat(200) }) as const;
  let sent = 0;
  // Sends never wait for the peer, so this loop runs straight through until the host gives up on the agent.
  while (h.controller.send('t1', slowIdentity.workstationId, stop(sent)) && sent < 1_000_000) sent++;
  assert.ok(sent < 1_000_000, 'the host must stop buffering for an agent that does not read');
  assert.ok(h.controller.send('t1', fastIdentity.workstationId, stop(0)));
  assert.equal((await fast.next('capture.stop')).captureId, 'cap-0');
  slow.ws.resume();
  await slow.closed;
  await fast.until(() => !h.controller.isOnline('t1', slowIdentity.workstationId), 'the slow agent gone');
  assert.match(
    await h.controller.metricsRegistry.metrics(),
    /deskrec_controller_errors_total\{code="slow-agent"\} 1/,
  );
  await fast.close();
});

test('stop closes every agent with 1001 and leaves no timers, sockets or servers behind', async () => {
  const before = new Set(process.getActiveResourcesInfo());
  const baseline = process.getActiveResourcesInfo().length;
  h = await startController({ heartbeatIntervalMs: 100 });
  const agents = await Promise.all([1, 2, 3].map(() => TestAgent.connect(h.url)));
  for (const agent of agents) agent.send(hello(newIdentity()));
  await Promise.all(agents.map((agent) => agent.next('welcome')));
  const lurker = await TestAgent.connect(h.url);
  await h.stop();
  for (const agent of [...agents, lurker]) assert.equal((await agent.closed).code, 1001);
  assert.equal(h.controller.status().running, false);
  assert.equal(h.controller.status().listening.tcp, null);
  // Let the client sockets' own close callbacks run, then compare.
  await new Promise((resolve) => setImmediate(resolve));
  const after = process.getActiveResourcesInfo();
  assert.ok(
    after.length <= baseline,
    `resources left: ${after.filter((r) => !before.has(r)).join(', ')} (${after.length} > ${baseline})`,
  );
  assert.ok(!after.includes('Timeout') || before.has('Timeout'), 'no timer left behind');
  await h.stop();
});

test.run();
