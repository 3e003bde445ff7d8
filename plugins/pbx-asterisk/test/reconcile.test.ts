import assert from 'node:assert/strict';
import type { CallEvent } from '@deskrec/core';
import { suite } from 'uvu';
import { AmiSource } from '../src/ami-source.js';
import { type AsteriskOptionsInput, AsteriskOptionsSchema } from '../src/options.js';
import { type FakeAmi, startFakeAmi } from './fake-ami.js';
import { agent1001, bridgeEnter, inboundCallMessages, liveRow, newchannel, trunk } from './traffic.js';

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), what);
}

interface Run {
  fake: FakeAmi;
  source: AmiSource;
  events: CallEvent[];
}

async function open(extra: Partial<AsteriskOptionsInput> = {}, banner?: string): Promise<Run> {
  const fake = await startFakeAmi({ username: 'deskrec', secret: 'pw', ...(banner ? { banner } : {}) });
  const source = new AmiSource(
    AsteriskOptionsSchema.parse({
      host: '127.0.0.1',
      port: fake.port,
      username: 'deskrec',
      secret: 'pw',
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

/** Every agent that was started was ended as often. */
function balanced(events: readonly CallEvent[]): boolean {
  const open = new Map<string, number>();
  for (const e of events) {
    const key = `${e.callId} ${e.agent.value}`;
    open.set(key, (open.get(key) ?? 0) + (e.type === 'call.started' ? 1 : -1));
  }
  return [...open.values()].every((n) => n === 0);
}

const summary = (events: readonly CallEvent[]) =>
  events.map((e) => `${e.type} ${e.callId} ${e.agent.value}${e.reason ? ` (${e.reason})` : ''}`);

const reconcile = suite('pbx-asterisk: reconciliation');

reconcile('a disconnect at every message boundary of one call leaves the call closed', async () => {
  const messages = inboundCallMessages();
  for (let cut = 0; cut <= messages.length; cut++) {
    const run = await open();
    try {
      const before = run.source.health().details?.lastReconcile;
      await run.fake.send(messages.slice(0, cut).join(''));
      // The rest of the call happens while the source is away: by the reconnect, the PBX has no channels.
      run.fake.live = [];
      await run.fake.drop();
      await run.fake.nextSession();
      await until(
        () => run.source.health().details?.lastReconcile !== before,
        `cut after ${cut} messages: a reconciliation ran after the reconnect`,
      );
      assert.ok(balanced(run.events), `cut after ${cut} messages: ${summary(run.events).join('; ')}`);
      if (cut >= 4) {
        assert.deepEqual(summary(run.events).slice(0, 1), ['call.started 1700009000.1 1001']);
      }
      if (cut >= 4 && cut < 8) {
        assert.equal(run.events[1]?.reason, 'gone from the PBX (found by reconciliation)');
        assert.equal(run.source.health().details?.lastReconcile?.ended, 1);
      }
      assert.equal(run.source.health().details?.openCalls, 0);
    } finally {
      await close(run);
    }
  }
});

reconcile('a call still up after a reconnect is neither ended nor started twice', async () => {
  const run = await open();
  try {
    await run.fake.send(inboundCallMessages().slice(0, 4).join(''));
    await until(() => run.events.length === 1, 'the call started');
    run.fake.live = [liveRow(trunk, 'br-1'), liveRow(agent1001, 'br-1')];
    const before = run.source.health().details?.lastReconcile;
    await run.fake.drop();
    await run.fake.nextSession();
    await until(
      () => run.source.health().details?.lastReconcile !== before,
      'reconciled after the reconnect',
    );
    assert.deepEqual(summary(run.events), ['call.started 1700009000.1 1001']);
    assert.deepEqual(
      {
        ended: run.source.health().details?.lastReconcile?.ended,
        started: run.source.health().details?.lastReconcile?.started,
      },
      { ended: 0, started: 0 },
    );
  } finally {
    await close(run);
  }
});

reconcile('the periodic check ends a call whose hangup never came', async () => {
  const run = await open({ reconcileIntervalSeconds: 0.05 });
  try {
    await run.fake.send(inboundCallMessages().slice(0, 4).join(''));
    run.fake.live = [liveRow(trunk, 'br-1'), liveRow(agent1001, 'br-1')];
    await until(() => run.events.length === 1, 'the call started');
    run.fake.live = [];
    await until(() => run.events.length === 2, 'the periodic reconciliation ended it');
    assert.equal(run.source.health().details?.lastReconcile?.trigger, 'periodic');
    assert.equal(run.source.health().reconnects, 0, 'no reconnect was needed');
  } finally {
    await close(run);
  }
});

reconcile('FullyBooted (Asterisk restarted) reconciles; Shutdown ends open calls with a reason', async () => {
  const run = await open();
  try {
    await run.fake.send(inboundCallMessages().slice(0, 4).join(''));
    await until(() => run.events.length === 1, 'the call started');
    await run.fake.send('Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n');
    await until(() => run.events.length === 2, 'FullyBooted reconciled the call away');
    assert.equal(run.source.health().details?.lastReconcile?.trigger, 'pbx-booted');
    await run.fake.send(
      [newchannel(trunk, 1700009100), newchannel(agent1001, 1700009101)].join('') +
        bridgeEnter(trunk, 'br-2', 1, 1700009102) +
        bridgeEnter(agent1001, 'br-2', 2, 1700009103),
    );
    await until(() => run.events.length === 3, 'a second call started');
    await run.fake.send(
      'Event: Shutdown\r\nPrivilege: system,all\r\nShutdown: Cleanly\r\nRestart: True\r\n\r\n',
    );
    await until(() => run.events.length === 4, 'Shutdown ended it');
    assert.equal(run.events[3]?.type, 'call.ended');
    assert.equal(run.events[3]?.reason, 'Asterisk shut down (Cleanly, restarting)');
    assert.deepEqual(run.source.health().details?.lastReconcile?.trigger, 'shutdown');
    assert.equal(run.source.health().details?.openCalls, 0);
  } finally {
    await close(run);
  }
});

reconcile('events that arrive while the list is out win over the list', async () => {
  const run = await open();
  try {
    await run.fake.send(inboundCallMessages().slice(0, 4).join(''));
    await until(() => run.events.length === 1, 'the call started');
    // The PBX reads its channels now (the call is up), but its answer arrives late.
    run.fake.live = [liveRow(trunk, 'br-1'), liveRow(agent1001, 'br-1')];
    let release: () => void = () => undefined;
    run.fake.holdListing = new Promise<void>((resolve) => (release = resolve));
    const before = run.source.health().details?.lastReconcile;
    await run.fake.send('Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n');
    await until(
      () => run.fake.actions.filter((a) => a.action === 'CoreShowChannels').length === 2,
      'the second list was asked for',
    );
    // Meanwhile the call ends and another begins.
    const second = {
      ...agent1001,
      channel: 'PJSIP/1002-00000009',
      uniqueid: '1700009100.9',
      linkedid: '1700009100.8',
    };
    const caller2 = {
      ...trunk,
      channel: 'PJSIP/carrier-00000008',
      uniqueid: '1700009100.8',
      linkedid: '1700009100.8',
    };
    await run.fake.send(
      inboundCallMessages().slice(4).join('') +
        newchannel(caller2, 1700009100) +
        newchannel(second, 1700009101) +
        bridgeEnter(caller2, 'br-2', 1, 1700009102) +
        bridgeEnter(second, 'br-2', 2, 1700009103),
    );
    await until(() => run.events.length === 3, 'the hangup and the new call arrived');
    release();
    await until(() => run.source.health().details?.lastReconcile !== before, 'the late list was applied');
    assert.deepEqual(summary(run.events), [
      'call.started 1700009000.1 1001',
      'call.ended 1700009000.1 1001 (Normal Clearing)',
      'call.started 1700009100.8 1002',
    ]);
    assert.deepEqual(
      [
        run.source.health().details?.lastReconcile?.ended,
        run.source.health().details?.lastReconcile?.started,
      ],
      [0, 0],
      'the old list neither restarts the ended call nor ends the new one',
    );
  } finally {
    await close(run);
  }
});

reconcile('a source that connects while a call is up starts it, with the caller call id', async () => {
  const fake = await startFakeAmi({ username: 'deskrec', secret: 'pw' });
  // A pickup left agent 2000 on its own younger Linkedid in the caller's bridge.
  const picker = { channel: 'PJSIP/2000-0000000a', uniqueid: '1700009500.9', linkedid: '1700009500.9' };
  fake.live = [liveRow(trunk, 'br-9'), liveRow(picker, 'br-9'), liveRow(agent1001, '')];
  const source = new AmiSource(
    AsteriskOptionsSchema.parse({ host: '127.0.0.1', port: fake.port, username: 'deskrec', secret: 'pw' }),
  );
  const events: CallEvent[] = [];
  try {
    await source.start({ event: (e) => events.push(e), problem: () => undefined });
    await until(() => events.length === 1, 'the live call was started');
    assert.deepEqual(summary(events), ['call.started 1700009000.1 2000']);
    assert.equal(events[0]?.direction, 'inbound');
    assert.deepEqual(source.health().details?.lastReconcile?.started, 1);
  } finally {
    await source.stop();
    await fake.close();
  }
});

reconcile('an Asterisk that speaks AMI 1.x says so in health and in the log line', async () => {
  const run = await open({}, 'Asterisk Call Manager/1.1');
  try {
    const health = run.source.health();
    assert.equal(health.state, 'connected');
    assert.match(health.detail ?? '', /^this Asterisk speaks AMI 1\.1; upgrade/);
    assert.match(health.details?.warnings?.[0] ?? '', /AMI 1\.1/);
  } finally {
    await close(run);
  }
});

reconcile.run();
