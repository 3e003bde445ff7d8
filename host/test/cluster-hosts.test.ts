import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TOKENS } from '@deskrec/core';
import { test } from 'uvu';
import { loadHostId } from '../src/cluster/host-id.js';
import { HOST_TOKENS } from '../src/tokens.js';
import { startTestHost } from './api-harness.js';
import { databaseKinds, tempDir } from './db-harness.js';
import { TestClock } from './support/test-clock.js';

test('a host id is made once per data folder and kept across restarts', async () => {
  const dir = await tempDir('deskrec-host-id-');
  try {
    const id = loadHostId(dir.path);
    assert.match(id, /^host_[0-9a-f]{16}$/);
    assert.equal(loadHostId(dir.path), id);
    assert.equal((await readFile(join(dir.path, 'host-id'), 'utf8')).trim(), id);
  } finally {
    await dir.remove();
  }
});

test('a damaged host-id file stops start-up naming the file', async () => {
  const dir = await tempDir('deskrec-host-id-');
  try {
    await writeFile(join(dir.path, 'host-id'), 'not-an-id\n');
    assert.throws(() => loadHostId(dir.path), /host-id holds "not-an-id", not a host id/);
  } finally {
    await dir.remove();
  }
});

for (const kind of await databaseKinds()) {
  test(`${kind}: a started host is in hosts, alive until its heartbeat is older than the limit`, async () => {
    const clock = new TestClock();
    const h = await startTestHost(kind, 'cluster: { hostName: first, hostGoneAfterSeconds: 20 }', (c) =>
      c.register(TOKENS.Clock, { useValue: clock }),
    );
    try {
      const id = h.host.resolve(HOST_TOKENS.HostId);
      assert.equal(id, loadHostId(h.dataDir));
      const hosts = h.host.resolve(HOST_TOKENS.HostsRepo);
      // A copied embedded template also holds the row of the host that made it.
      const alive = await hosts.alive(20_000);
      assert.equal(alive.find((r) => r.id === id)?.name, 'first');
      assert.equal(await hosts.isGone(id, 20_000), false);
      clock.advance(21_000);
      assert.equal(await hosts.isGone(id, 20_000), true);
      await hosts.beat(id);
      assert.equal(await hosts.isGone(id, 20_000), false);
      assert.equal(await hosts.isGone('host_0000000000000000', 20_000), true);
    } finally {
      await h.stop();
    }
  });
}

test('a gone-after shorter than the heartbeat is refused naming the field', async () => {
  await assert.rejects(
    startTestHost('embedded', 'cluster: { heartbeatSeconds: 10, hostGoneAfterSeconds: 5 }'),
    /cluster\.hostGoneAfterSeconds.*longer than heartbeatSeconds/s,
  );
});

test.run();
