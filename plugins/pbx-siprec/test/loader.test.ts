import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadPlugins, silentLogger, systemClock } from '@deskrec/core';
import { test } from 'uvu';
import { TestSink } from './helpers/recorder.js';
import { first, ids, request, SipConnection } from './helpers/siprec-client.js';

const context = (dataDir: string) => ({
  logger: silentLogger,
  clock: systemClock,
  dataDir,
  signal: new AbortController().signal,
});

test('the host configuration `use: siprec` loads the plugin by its short name; recordings go to its data folder', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'siprec-loader-'));
  const registry = await loadPlugins(
    [
      {
        kind: 'call-events',
        entry: { use: 'siprec', id: 'sbc', options: { port: 0, udp: false } },
        where: 'plugins.callEvents[0]',
      },
    ],
    context(dir),
  );
  const source = registry.get('call-events', 'sbc');
  assert.ok(source, 'registered under its instance id');
  try {
    await source.start(new TestSink());
    const port = Number(/tcp (\d+)/.exec(source.health().detail ?? '')?.[1]);
    const c = await SipConnection.open('tcp', port);
    c.send(request(c, 'OPTIONS', 'loader@test', 1, { fromTag: ids().tag }));
    const answer = await c.next((m) => first(m, 'call-id') === 'loader@test');
    assert.equal(answer.status, 200);
    await c.close();
    const entries = await fs.readdir(dir, { recursive: true });
    assert.ok(
      entries.some((e) => String(e).endsWith('recordings')),
      `recordings folder under ${dir}: ${entries}`,
    );
  } finally {
    await source.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('a bad option stops loading with the plugin, the config path and the problem', async () => {
  const error = await loadPlugins(
    [
      {
        kind: 'call-events',
        entry: { use: 'siprec', options: { agentPattern: '(' } },
        where: 'plugins.callEvents[0]',
      },
    ],
    context(os.tmpdir()),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof Error, String(error));
  assert.match(
    error.message,
    /"pbx-siprec" \(plugins\.callEvents\[0\]\.options\): options\.agentPattern: .*not a valid regular expression/,
  );
});

test.run();
