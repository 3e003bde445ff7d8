import assert from 'node:assert/strict';
import type { CallEvent } from '@deskrec/core';
import { suite } from 'uvu';
import { EslSource, parseLiveCalls } from '../src/esl-source.js';
import { type FreeswitchOptionsInput, FreeswitchOptionsSchema } from '../src/options.js';
import { type FakeEsl, startFakeEsl } from './fake-esl.js';
import { agentLeg, eventFrame, inboundCallFrames, liveCall, trunkLeg } from './traffic.js';

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), what);
}

interface Run {
  fake: FakeEsl;
  source: EslSource;
  events: CallEvent[];
}

async function open(extra: Partial<FreeswitchOptionsInput> = {}): Promise<Run> {
  const fake = await startFakeEsl({ password: 'pw' });
  const source = new EslSource(
    FreeswitchOptionsSchema.parse({
      host: '127.0.0.1',
      port: fake.port,
      password: 'pw',
      reconnectMinSeconds: 0.02,
      reconnectMaxSeconds: 0.05,
      ...extra,
    }),
  );
  const events: CallEvent[] = [];
  await source.start({ event: (e) => events.push(e), problem: () => undefined });
  await fake.nextSession();
  await until(() => source.health().details?.lastReconcile !== undefined, 'the first reconciliation ran');
  return { fake, source, events };
}

async function close(run: Run): Promise<void> {
  await run.source.stop();
  await run.fake.close();
}

function balanced(events: readonly CallEvent[]): boolean {
  const open = new Map<string, number>();
  for (const e of events) {
    const key = `${e.callId} ${e.agent.value}`;
    open.set(key, (open.get(key) ?? 0) + (e.type === 'call.started' ? 1 : -1));
  }
  return [...open.values()].every((n) => n === 0);
}

const summary = (events: readonly CallEvent[]) => events.map((e) => `${e.type} ${e.callId} ${e.agent.value}`);
const CALL = trunkLeg.callId;

const reconcile = suite('pbx-freeswitch: reconciliation');

reconcile('a disconnect at every frame boundary of one call leaves the call closed', async () => {
  const frames = inboundCallFrames();
  for (let cut = 0; cut <= frames.length; cut++) {
    const run = await open();
    try {
      const before = run.source.health().details?.lastReconcile;
      await run.fake.send(frames.slice(0, cut).join(''));
      run.fake.live = [];
      await run.fake.drop();
      await run.fake.nextSession();
      await until(
        () => run.source.health().details?.lastReconcile !== before,
        `cut after ${cut} frames: a reconciliation ran after the reconnect`,
      );
      assert.ok(balanced(run.events), `cut after ${cut} frames: ${summary(run.events).join('; ')}`);
      if (cut >= 3) assert.equal(summary(run.events)[0], `call.started ${CALL} 1001`);
      if (cut === 3) assert.equal(run.events[1]?.reason, 'gone from FreeSWITCH (found by reconciliation)');
      assert.equal(run.source.health().details?.openCalls, 0);
    } finally {
      await close(run);
    }
  }
});

reconcile('a call still up after a reconnect is kept, once', async () => {
  const run = await open();
  try {
    await run.fake.send(inboundCallFrames().slice(0, 3).join(''));
    await until(() => run.events.length === 1, 'the call started');
    run.fake.live = [liveCall(trunkLeg, agentLeg)];
    const before = run.source.health().details?.lastReconcile;
    await run.fake.drop();
    await run.fake.nextSession();
    await until(
      () => run.source.health().details?.lastReconcile !== before,
      'reconciled after the reconnect',
    );
    assert.deepEqual(summary(run.events), [`call.started ${CALL} 1001`]);
    assert.equal(run.source.health().details?.lastReconcile?.live, 2);
  } finally {
    await close(run);
  }
});

reconcile('the periodic check ends a call whose hangup never came', async () => {
  const run = await open({ reconcileIntervalSeconds: 0.05 });
  try {
    run.fake.live = [liveCall(trunkLeg, agentLeg)];
    await run.fake.send(inboundCallFrames().slice(0, 3).join(''));
    await until(() => run.events.length === 1, 'the call started');
    run.fake.live = [];
    await until(() => run.events.length === 2, 'the periodic reconciliation ended it');
    assert.equal(run.source.health().details?.lastReconcile?.trigger, 'periodic');
  } finally {
    await close(run);
  }
});

reconcile('a disconnect notice (FreeSWITCH shutting down) ends open calls with a reason', async () => {
  const run = await open();
  try {
    await run.fake.send(inboundCallFrames().slice(0, 3).join(''));
    await until(() => run.events.length === 1, 'the call started');
    const body = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';
    await run.fake.send(
      `Content-Type: text/disconnect-notice\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`,
    );
    await until(() => run.events.length === 2, 'the notice ended the call');
    assert.equal(run.events[1]?.reason, 'FreeSWITCH disconnected the event socket (Disconnected, goodbye.)');
    assert.equal(run.source.health().details?.lastReconcile?.trigger, 'shutdown');
    await run.fake.nextSession();
  } finally {
    await close(run);
  }
});

reconcile('a SHUTDOWN event ends open calls', async () => {
  const run = await open();
  try {
    await run.fake.send(inboundCallFrames().slice(0, 3).join(''));
    await until(() => run.events.length === 1, 'the call started');
    await run.fake.send(eventFrame({ 'Event-Name': 'SHUTDOWN' }));
    await until(() => run.events.length === 2, 'SHUTDOWN ended the call');
    assert.equal(run.events[1]?.reason, 'FreeSWITCH shut down');
  } finally {
    await close(run);
  }
});

reconcile('show calls answers: empty, rows, errors', () => {
  assert.deepEqual(parseLiveCalls('{"row_count":0}'), []);
  assert.equal((parseLiveCalls('{"row_count":1,"rows":[{"uuid":"x"}]}') as unknown[]).length, 1);
  assert.equal(parseLiveCalls('-ERR no reply\n'), '-ERR no reply');
  assert.equal(parseLiveCalls('{"rows":5}'), '`rows` is not an array');
});

reconcile.run();
