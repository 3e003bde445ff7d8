import assert from 'node:assert/strict';
import { silentLogger } from '@deskrec/core';
import pg from 'pg';
import { test } from 'uvu';
import { SourceLock } from '../src/cluster/source-lock.js';
import type { DatabaseHandle } from '../src/db/open-database.js';
import { databaseKinds, openTestDatabase, PG_URL, type TestDatabase } from './db-harness.js';

/** A lock for `hostId` whose state changes the test reads; `changed` resolves at the next change. */
function lockFor(handle: DatabaseHandle, hostId: string, sourceId = 'pbx') {
  const state = { running: false, holder: undefined as string | undefined, lost: 0 };
  let wake: () => void = () => undefined;
  const changed = () => new Promise<void>((resolve) => (wake = resolve));
  const lock = new SourceLock({
    sourceId,
    hostId,
    openSession: (name) => handle.openSession(name),
    retryMs: 50,
    logger: silentLogger,
    acquired: async () => {
      state.running = true;
      wake();
    },
    lost: async () => {
      state.running = false;
      state.lost++;
      wake();
    },
    standby: async (holder) => {
      if (state.holder !== holder) wake();
      state.holder = holder;
    },
  });
  return { lock, state, changed };
}

async function until(what: string, check: () => boolean, changed: () => Promise<void>): Promise<void> {
  while (!check()) {
    const next = changed();
    if (check()) return;
    await next;
  }
  assert.ok(check(), what);
}

for (const kind of await databaseKinds()) {
  test(`${kind}: the host takes its source's lock at start`, async () => {
    const db: TestDatabase = await openTestDatabase(kind);
    const a = lockFor(db.handle, 'host_000000000000000a');
    try {
      await a.lock.start();
      assert.equal(a.state.running, true);
      await a.lock.stop();
      assert.equal(a.state.running, false, 'stop stops the source');
    } finally {
      await db.cleanup();
    }
  });
}

if ((await databaseKinds()).includes('postgres')) {
  test('postgres: a second host waits naming the holder; a terminated lock session hands the source over', async () => {
    const db = await openTestDatabase('postgres');
    const other = await openTestDatabase('postgres');
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    const a = lockFor(db.handle, 'host_000000000000000a');
    const b = lockFor(db.handle, 'host_000000000000000b');
    const elsewhere = lockFor(other.handle, 'host_000000000000000c');
    try {
      await a.lock.start();
      await b.lock.start();
      assert.equal(a.state.running, true);
      assert.equal(b.state.running, false);
      assert.equal(b.state.holder, 'host_000000000000000a');
      await elsewhere.lock.start();
      assert.equal(elsewhere.state.running, true, 'the same source id in another schema is another lock');

      const ended = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'deskrec host_000000000000000a'",
      );
      assert.equal(ended.rowCount, 1);
      await until('host a to stop its source', () => a.state.lost === 1, a.changed);
      assert.equal(a.state.running, false);
      await until('host b to take over', () => b.state.running, b.changed);
      await until(
        'host a to name b as the holder',
        () => a.state.holder === 'host_000000000000000b',
        a.changed,
      );
      assert.equal(a.state.running, false, 'never two at once');
    } finally {
      await Promise.all([a.lock.stop(), b.lock.stop(), elsewhere.lock.stop()]);
      await admin.end();
      await db.cleanup();
      await other.cleanup();
    }
  });
}

test.run();
