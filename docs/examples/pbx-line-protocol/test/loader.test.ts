import assert from 'node:assert/strict';
import os from 'node:os';
import { loadPlugins, PluginLoadError, silentLogger, systemClock } from '@deskrec/core';
import { suite } from 'uvu';

const test = suite('loaded by the deskrec plugin loader');

// The host imports the package by name; here the name maps onto this package's source.
const importer = async (specifier: string) => {
  if (specifier === 'deskrec-pbx-line-protocol') return import('../src/index.js');
  throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
};

const load = (options: Record<string, unknown>) =>
  loadPlugins(
    [
      {
        kind: 'call-events',
        entry: { use: 'deskrec-pbx-line-protocol', id: 'line', options },
        where: 'plugins.callEvents[0]',
      },
    ],
    {
      logger: silentLogger,
      clock: systemClock,
      dataDir: os.tmpdir(),
      signal: new AbortController().signal,
      importer,
    },
  );

test('valid options create a source under its instance id', async () => {
  const registry = await load({ host: '127.0.0.1', port: 7001 });
  const source = registry.get('call-events', 'line');
  assert.ok(source);
  assert.equal(source.health().state, 'stopped');
  assert.deepEqual(source.capabilities, { http: false, persistentConnection: true });
});

test('bad options are refused with the option path', async () => {
  try {
    await load({ host: '127.0.0.1', port: 70000, reconnectMinSeconds: 5, reconnectMaxSeconds: 1 });
    assert.fail('invalid options must be refused');
  } catch (error) {
    assert.ok(error instanceof PluginLoadError, String(error));
    assert.equal(error.code, 'invalid-options');
    assert.match(error.message, /pbx-line-protocol/);
    assert.match(error.message, /port/);
  }
});

test.run();
