/**
 * Conformance kit for CallEventSource plugins.
 *
 * Usage, from a plugin's `test/conformance.test.ts`:
 *
 * ```ts
 * import { callEventSourceKit } from '@deskrec/core/testing';
 *
 * callEventSourceKit<string>({
 *   name: 'pbx-asterisk',
 *   capabilities: plugin.capabilities,                 // the manifest's flags decide what the kit runs
 *   createPeer: () => startFakeAmiServer(),            // a real TCP server in the test, playing the PBX
 *   createSource: (peer) => new AmiSource({ port: peer.port, ... }),
 *   scenarios: [{ name: 'inbound answered', traffic: readTranscript('inbound.txt'), expect: [...] }],
 *   malformed: [{ name: 'garbage line', traffic: 'no colon here\r\n\r\n' }],
 * });
 * ```
 *
 * `T` is whatever the peer sends (wire text for AMI/ESL, request bodies for a webhook); the kit never looks
 * inside it. The peer harness delivers it the way the PBX would: for a source with `persistentConnection` it
 * is the server the source connects to; for an `http` source it posts to `source.handleHttp` (the kit calls
 * `createPeer()` first, so `createSource(peer)` is the place to hand the new source to the peer).
 * The kit checks, per scenario, the exact emitted sequence (type, callId, agent, and direction/time when the
 * expectation names them), that every event passes CallEventSchema, reconnect after the peer drops the
 * connection, a clean and idempotent stop that leaves no referenced sockets or timers behind, and that
 * malformed input is reported through `sink.problem` without stopping the source. A source that declares
 * `reconcile` also gets: a call that ended while the connection was down is ended after the reconnect, and a
 * source that connects while calls are up starts them (both read the peer's live-call list; see
 * `CallEventsReconcile`), with `health().details.lastReconcile` counting what was fixed.
 */
import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { type CallEvent, CallEventSchema } from '../domain/call-event.js';
import type {
  CallEventSink,
  CallEventSource,
  CallEventSourceCapabilities,
  SourceProblem,
} from '../ports/call-event-source.js';
import { type KitSkip, skipReason } from './kit-skips.js';

export const CALL_EVENTS_KIT_TESTS = [
  'scenarios',
  'every event passes CallEventSchema',
  'health while running',
  'reconnect after the peer drops the connection',
  'stop is clean and idempotent',
  'malformed input is reported and skipped',
  'reconcile: a call that ended while disconnected is ended after reconnecting',
  'reconcile: calls already up when the source connects are started',
] as const;
export type CallEventsKitTest = (typeof CALL_EVENTS_KIT_TESTS)[number];

/** The fake PBX a plugin's test supplies. One peer serves one source; the kit closes it after each test. */
export interface CallEventPeer<T> {
  /**
   * Resolves when the source has established its next session (connected and logged in, ready for traffic).
   * The first call waits for the first session, the second call for the session after a drop, and so on.
   * Sources without a persistent connection may resolve at once.
   */
  nextSession(): Promise<void>;
  /** Delivers traffic to the current session. Resolves once the bytes or requests are handed over. */
  send(traffic: T): Promise<void>;
  /** Drops the current connection from the PBX side. Required when the source has `persistentConnection`. */
  drop?(): Promise<void>;
  /** Closes everything the peer opened (servers, sockets). */
  close(): Promise<void>;
}

/** One expected event. `direction` and `at` are compared only when given. */
export interface ExpectedCallEvent {
  type: CallEvent['type'];
  callId: string;
  agent: CallEvent['agent'];
  direction?: CallEvent['direction'];
  /** The time the traffic carried (ISO string or Date), to check the source parses it rather than using now. */
  at?: string | Date;
}

export interface CallEventScenario<T> {
  name: string;
  traffic: T;
  /** The exact sequence the source must emit for this traffic; empty when no agent was ever on the call. */
  expect: readonly ExpectedCallEvent[];
}

/**
 * For sources that declare the `reconcile` capability: how the peer plays the PBX's list of live calls.
 * The kit starts a call with `callUp`, calls `endCall(peer)` (from then on the peer's list must not hold the
 * call, and the peer sends no hangup), drops the connection, and expects `ended` after the reconnect.
 */
export interface CallEventsReconcile<T> {
  /** Traffic that puts agents on a call that stays up; the peer's live list must hold it too. */
  callUp: T;
  /** What `callUp` emits. */
  started: readonly ExpectedCallEvent[];
  /** Marks the call as gone at the PBX (it ended while the source was away): no events, just the live list. */
  endCall(peer: CallEventPeer<T>): void | Promise<void>;
  /** What the source must emit once it reconnected and asked; times are not compared (they are learnt late). */
  ended: readonly ExpectedCallEvent[];
  /** Makes a fresh peer's live list hold a call before any source connects. */
  upBeforeConnect(peer: CallEventPeer<T>): void | Promise<void>;
  /** What a source emits when it connects to a peer prepared by `upBeforeConnect`. */
  upBeforeConnectStarted: readonly ExpectedCallEvent[];
}

export interface CallEventsKitOptions<T> {
  /** Shown in the test output, e.g. `pbx-asterisk (AMI over TCP)`. */
  name: string;
  /** The capabilities the plugin declares (its manifest's); the kit runs what they promise and checks the source agrees. */
  capabilities: CallEventSourceCapabilities;
  createPeer(): Promise<CallEventPeer<T>>;
  /** A fresh, not yet started source wired to `peer` (its host/port, its credentials). */
  createSource(peer: CallEventPeer<T>): CallEventSource | Promise<CallEventSource>;
  /** At least one; the first one with expected events also serves as the "still works" probe. */
  scenarios: readonly CallEventScenario<T>[];
  /** Traffic the source must report via `sink.problem` and skip. */
  malformed: readonly { name: string; traffic: T }[];
  /** How long to wait for expected events before failing; default 5000 ms. */
  timeoutMs?: number;
  /** Quiet time after the expected events (or after sending) in which no further event may arrive; default 150 ms. */
  settleMs?: number;
  skip?: readonly KitSkip<CallEventsKitTest>[];
  /** Required when the capabilities declare `reconcile`. */
  reconcile?: CallEventsReconcile<T>;
}

/** A sink that records what it receives and lets the kit wait for a count. */
class RecordingSink implements CallEventSink {
  readonly events: CallEvent[] = [];
  readonly problems: SourceProblem[] = [];
  private waiters: (() => void)[] = [];

  event(event: CallEvent): void {
    this.events.push(event);
    this.wake();
  }

  problem(problem: SourceProblem): void {
    this.problems.push(problem);
    this.wake();
  }

  /** Waits until `done()` holds, or fails after `timeoutMs` with `what`. Wakes on each delivery and polls for health changes. */
  async until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(what());
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 20));
        this.waiters.push(wake);
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeEvents(events: readonly CallEvent[]): string {
  if (events.length === 0) return '(none)';
  return events.map((e) => `${e.type} ${e.callId} ${e.agent.by}:${e.agent.value} ${e.direction}`).join('; ');
}

function checkSequence(
  scenario: string,
  got: readonly CallEvent[],
  want: readonly ExpectedCallEvent[],
  compareTimes = true,
): void {
  const context = `${scenario}: expected [${want.map((e) => `${e.type} ${e.callId} ${e.agent.value}`).join('; ')}], got [${describeEvents(got)}]`;
  assert.equal(got.length, want.length, `${context}: wrong number of events`);
  want.forEach((w, i) => {
    const g = got[i] as CallEvent;
    assert.equal(g.type, w.type, `${context}: event ${i} type`);
    assert.equal(g.callId, w.callId, `${context}: event ${i} callId`);
    assert.deepEqual(g.agent, w.agent, `${context}: event ${i} agent`);
    if (w.direction) assert.equal(g.direction, w.direction, `${context}: event ${i} direction`);
    if (w.at !== undefined && compareTimes) {
      assert.equal(
        g.at.toISOString(),
        new Date(w.at).toISOString(),
        `${context}: event ${i} time (must come from the traffic)`,
      );
    }
  });
}

function checkSchema(events: readonly CallEvent[], where: string): void {
  for (const event of events) {
    const parsed = CallEventSchema.safeParse(event);
    assert.ok(
      parsed.success,
      `${where}: event fails CallEventSchema: ${JSON.stringify(event)}: ${parsed.error?.message ?? ''}`,
    );
    assert.ok(
      event.at instanceof Date && !Number.isNaN(event.at.getTime()),
      `${where}: event.at is not a valid Date`,
    );
  }
}

/** Counts referenced handles by kind (unref'd timers are not listed, so they never keep a process alive). */
function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function leakedResources(before: Map<string, number>): string[] {
  const leaks: string[] = [];
  for (const [kind, count] of activeResources()) {
    const extra = count - (before.get(kind) ?? 0);
    if (extra > 0) leaks.push(`${extra} × ${kind}`);
  }
  return leaks;
}

/** Closed handles leave the list within a few turns of the event loop, so look again for a moment. */
async function settledLeaks(before: Map<string, number>): Promise<string[]> {
  let leaks = leakedResources(before);
  for (let i = 0; i < 50 && leaks.length > 0; i++) {
    await sleep(20);
    leaks = leakedResources(before);
  }
  return leaks;
}

/**
 * The behaviour every CallEventSource must show. Call it once from a plugin's test file; it registers and
 * runs a uvu suite. Tests that need a capability the source does not declare are skipped with that reason.
 */
export function callEventSourceKit<T>(options: CallEventsKitOptions<T>): void {
  const kit = suite(`call-events kit: ${options.name}`);
  const timeoutMs = options.timeoutMs ?? 5000;
  const settleMs = options.settleMs ?? 150;
  const probe = options.scenarios.find((s) => s.expect.length > 0);

  interface Running {
    peer: CallEventPeer<T>;
    source: CallEventSource;
    sink: RecordingSink;
  }

  const open = async (): Promise<Running> => {
    const peer = await options.createPeer();
    const source = await options.createSource(peer);
    const sink = new RecordingSink();
    await source.start(sink);
    await withTimeout(peer.nextSession(), 'the source never established a session with the peer');
    return { peer, source, sink };
  };

  const withTimeout = async <R>(work: Promise<R>, what: string): Promise<R> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} (waited ${timeoutMs} ms)`)), timeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  /** Waits for exactly `want` after the sink's first `from` events. */
  const expectEvents = async (
    run: Running,
    from: number,
    want: readonly ExpectedCallEvent[],
    what: string,
  ) => {
    const received = () => run.sink.events.slice(from);
    await run.sink.until(
      () => received().length >= want.length,
      timeoutMs,
      () =>
        `${what}: expected ${want.length} events, got [${describeEvents(received())}]; problems: ${JSON.stringify(run.sink.problems)}`,
    );
    await sleep(settleMs);
    checkSequence(what, received(), want, false);
  };

  /** Sends a scenario and checks exactly its events arrive (the sink's earlier events are left alone). */
  const play = async (run: Running, scenario: CallEventScenario<T>): Promise<CallEvent[]> => {
    const from = run.sink.events.length;
    await run.peer.send(scenario.traffic);
    const received = () => run.sink.events.slice(from);
    await run.sink.until(
      () => received().length >= scenario.expect.length,
      timeoutMs,
      () =>
        `${scenario.name}: expected ${scenario.expect.length} events, got [${describeEvents(received())}]; problems: ${JSON.stringify(run.sink.problems)}`,
    );
    await sleep(settleMs);
    checkSequence(scenario.name, received(), scenario.expect);
    return received();
  };

  const close = async (run: Running | undefined): Promise<void> => {
    if (!run) return;
    await run.source.stop().catch(() => undefined);
    await run.peer.close().catch(() => undefined);
  };

  const define = (name: CallEventsKitTest, body: () => Promise<void>, notApplicable?: string) => {
    const reason = skipReason(options.skip, name) ?? notApplicable;
    if (reason) {
      kit.skip(`${name} (skipped: ${reason})`, () => {});
      return;
    }
    kit(name, body);
  };

  if (options.scenarios.length === 0) throw new Error('callEventSourceKit needs at least one scenario');

  for (const scenario of options.scenarios) {
    const reason = skipReason(options.skip, 'scenarios');
    if (reason) {
      kit.skip(`scenario: ${scenario.name} (skipped: ${reason})`, () => {});
      continue;
    }
    kit(`scenario: ${scenario.name}`, async () => {
      let run: Running | undefined;
      try {
        run = await open();
        await play(run, scenario);
        assert.deepEqual(
          run.sink.problems,
          [],
          `${scenario.name}: well-formed traffic must raise no problems`,
        );
      } finally {
        await close(run);
      }
    });
  }

  define('every event passes CallEventSchema', async () => {
    let run: Running | undefined;
    try {
      run = await open();
      // All scenarios through one session: calls one after another must not disturb each other.
      for (const scenario of options.scenarios) await play(run, scenario);
      checkSchema(run.sink.events, options.name);
    } finally {
      await close(run);
    }
  });

  define('health while running', async () => {
    let run: Running | undefined;
    try {
      run = await open();
      assert.deepEqual(
        run.source.capabilities,
        options.capabilities,
        'the source reports the capabilities its plugin declares',
      );
      const health = run.source.health();
      if (options.capabilities.persistentConnection) {
        const source = run.source;
        await run.sink.until(
          () => source.health().state === 'connected',
          timeoutMs,
          () => `health().state after the session is up: ${source.health().state}`,
        );
      } else {
        assert.notEqual(health.state, 'stopped', 'a started source must not report stopped');
      }
      assert.equal(health.reconnects, 0, 'no reconnects before any drop');
      const details = run.source.health().details;
      if (details) {
        assert.equal(
          details.connected,
          run.source.health().state === 'connected',
          'details.connected agrees with state',
        );
        assert.equal(details.reconnects, 0, 'details.reconnects before any drop');
      }
      if (probe) {
        await play(run, probe);
        const after = run.source.health();
        assert.ok(
          after.lastEventAt instanceof Date,
          'health().lastEventAt is set once events were delivered',
        );
      }
    } finally {
      await close(run);
    }
  });

  define(
    'reconnect after the peer drops the connection',
    async () => {
      let run: Running | undefined;
      try {
        run = await open();
        const { peer, source } = run;
        assert.ok(peer.drop, 'a peer for a persistent-connection source must implement drop()');
        const reconnectsBefore = source.health().reconnects;
        await peer.drop();
        await withTimeout(
          peer.nextSession(),
          'the source did not reconnect after the peer dropped the connection',
        );
        // The peer sees the session before the source has read the peer's answer: wait for the source's view.
        await run.sink.until(
          () => source.health().reconnects > reconnectsBefore && source.health().state === 'connected',
          timeoutMs,
          () =>
            `health().reconnects must grow after a reconnect (before ${reconnectsBefore}, now ${source.health().reconnects}, state ${source.health().state})`,
        );
        if (probe) await play(run, probe);
        assert.equal(source.health().state, 'connected', 'health().state after reconnecting');
        assert.deepEqual(run.sink.problems, [], 'a dropped connection is a health matter, not bad input');
      } finally {
        await close(run);
      }
    },
    options.capabilities.persistentConnection ? undefined : 'the source declares no persistentConnection',
  );

  define('stop is clean and idempotent', async () => {
    const before = activeResources();
    let run: Running | undefined;
    try {
      run = await open();
      if (probe) await play(run, probe);
      const count = run.sink.events.length;
      await run.source.stop();
      assert.equal(run.source.health().state, 'stopped', 'health().state after stop()');
      await run.source.stop();
      assert.equal(run.source.health().state, 'stopped', 'a second stop() keeps the state');
      if (probe) {
        // The peer may refuse (the source is gone); either way nothing may reach the sink.
        await run.peer.send(probe.traffic).catch(() => undefined);
        await sleep(settleMs);
      }
      assert.equal(run.sink.events.length, count, 'no events may arrive after stop()');
      await run.peer.close();
      run = undefined;
      let leaks = await settledLeaks(before);
      assert.deepEqual(leaks, [], `handles left after stop() and peer close: ${leaks.join(', ')}`);
      if (options.capabilities.persistentConnection) {
        // Stopping while the source waits to reconnect must cancel that wait too.
        run = await open();
        await run.peer.close();
        await sleep(settleMs);
        await run.source.stop();
        assert.equal(run.source.health().state, 'stopped', 'health().state after stop() while reconnecting');
        run = undefined;
        leaks = await settledLeaks(before);
        assert.deepEqual(leaks, [], `handles left after stop() while reconnecting: ${leaks.join(', ')}`);
      }
    } finally {
      await close(run);
    }
  });

  define(
    'malformed input is reported and skipped',
    async () => {
      let run: Running | undefined;
      try {
        run = await open();
        const { sink, peer } = run;
        for (const bad of options.malformed) {
          const problemsBefore = sink.problems.length;
          const eventsBefore = sink.events.length;
          await peer.send(bad.traffic);
          await sink.until(
            () => sink.problems.length > problemsBefore,
            timeoutMs,
            () => `malformed "${bad.name}" was not reported via sink.problem`,
          );
          assert.equal(sink.events.length, eventsBefore, `malformed "${bad.name}" must not produce events`);
          for (const problem of sink.problems) {
            assert.ok(problem.message.trim().length > 0, 'a problem carries a message');
          }
        }
        assert.notEqual(run.source.health().state, 'stopped', 'the source keeps running after bad input');
        if (probe) await play(run, probe);
      } finally {
        await close(run);
      }
    },
    options.malformed.length === 0 ? 'no malformed traffic given' : undefined,
  );

  const reconcileSkip = !options.capabilities.persistentConnection
    ? 'the source declares no persistentConnection'
    : !options.capabilities.reconcile
      ? 'the source declares no reconcile capability'
      : undefined;
  const reconcile = () => {
    assert.ok(options.reconcile, 'a source that declares `reconcile` must give the kit `reconcile` options');
    return options.reconcile;
  };

  define(
    'reconcile: a call that ended while disconnected is ended after reconnecting',
    async () => {
      const plan = reconcile();
      let run: Running | undefined;
      try {
        run = await open();
        const { peer, source } = run;
        assert.ok(peer.drop, 'a peer for a persistent-connection source must implement drop()');
        await play(run, { name: 'reconcile: call up', traffic: plan.callUp, expect: plan.started });
        const from = run.sink.events.length;
        await plan.endCall(peer);
        await peer.drop();
        await withTimeout(
          peer.nextSession(),
          'the source did not reconnect after the peer dropped the connection',
        );
        await expectEvents(run, from, plan.ended, 'reconcile after reconnect');
        const report = source.health().details?.lastReconcile;
        assert.ok(report, 'health().details.lastReconcile is set after a reconciliation');
        assert.ok(
          report.ended >= plan.ended.filter((e) => e.type === 'call.ended').length,
          `health().details.lastReconcile.ended counts the calls it ended (got ${report.ended})`,
        );
        assert.deepEqual(run.sink.problems, [], 'reconciling raises no problems');
      } finally {
        await close(run);
      }
    },
    reconcileSkip,
  );

  define(
    'reconcile: calls already up when the source connects are started',
    async () => {
      const plan = reconcile();
      let run: Running | undefined;
      try {
        const peer = await options.createPeer();
        try {
          await plan.upBeforeConnect(peer);
        } catch (error) {
          await peer.close();
          throw error;
        }
        const source = await options.createSource(peer);
        run = { peer, source, sink: new RecordingSink() };
        await source.start(run.sink);
        await withTimeout(peer.nextSession(), 'the source never established a session with the peer');
        await expectEvents(run, 0, plan.upBeforeConnectStarted, 'calls up before connecting');
        const report = source.health().details?.lastReconcile;
        assert.ok(report, 'health().details.lastReconcile is set after a reconciliation');
        assert.ok(
          report.started >= plan.upBeforeConnectStarted.length,
          `health().details.lastReconcile.started counts the calls it started (got ${report.started})`,
        );
      } finally {
        await close(run);
      }
    },
    reconcileSkip,
  );

  kit.run();
}
