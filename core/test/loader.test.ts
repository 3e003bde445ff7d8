import assert from 'node:assert/strict';
import { test } from 'uvu';
import { CORE_API_VERSION } from '../src/plugin/api-version.js';
import { systemClock } from '../src/plugin/clock.js';
import { PluginLoadError, PluginLoadErrors } from '../src/plugin/errors.js';
import { type LoadPluginsOptions, loadPlugins, type PluginRequest } from '../src/plugin/loader.js';
import { silentLogger } from '../src/plugin/logger.js';
import { candidatePackages, resolvePlugin } from '../src/plugin/resolve.js';
import { fixtureImporter } from './fixtures/plugins.js';

const options: LoadPluginsOptions = {
  logger: silentLogger,
  clock: systemClock,
  dataDir: '/tmp/deskrec-loader-test',
  signal: new AbortController().signal,
  importer: fixtureImporter,
};

async function loadError(requests: PluginRequest[]): Promise<Error> {
  try {
    await loadPlugins(requests, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected loadPlugins to fail');
}

const storage = (use: string, opts: Record<string, unknown> = {}, id?: string, at = 0): PluginRequest => ({
  kind: 'storage',
  entry: { use, options: opts, ...(id ? { id } : {}) },
  where: `plugins.storage[${at}]`,
});

test('short names expand to the deskrec package of the kind, package names stay as they are', () => {
  assert.deepEqual(candidatePackages('storage', 's3'), ['@deskrec/storage-s3', 's3']);
  assert.deepEqual(candidatePackages('call-events', 'asterisk'), ['@deskrec/pbx-asterisk', 'asterisk']);
  assert.deepEqual(candidatePackages('storage', '@acme/deskrec-storage-x'), ['@acme/deskrec-storage-x']);
});

test('loads, validates and registers several instances of one plugin, keyed by id', async () => {
  const registry = await loadPlugins(
    [storage('memory', { bucket: 'a' }, 'first'), storage('memory', { bucket: 'b' }, 'second', 1)],
    options,
  );
  assert.deepEqual(
    registry.list('storage').map((p) => p.id),
    ['first', 'second'],
  );
  assert.ok(registry.get('storage', 'first'));
  assert.notEqual(registry.get('storage', 'first'), registry.get('storage', 'second'));
});

test('unknown plugin', async () => {
  const error = await loadError([storage('s4')]);
  assert.ok(error instanceof PluginLoadError);
  assert.equal(error.code, 'unknown-plugin');
  assert.equal(
    error.message,
    'Plugin "s4" (plugins.storage[0].use) was not found: tried "@deskrec/storage-s4", "s4". Install the package with npm or correct the name.',
  );
});

test('unknown plugin through the real module resolver', async () => {
  try {
    await resolvePlugin('storage', '@acme/not-installed-anywhere', 'plugins.storage[0].use');
    assert.fail('expected an error');
  } catch (error) {
    assert.equal((error as PluginLoadError).code, 'unknown-plugin');
    assert.match(
      (error as Error).message,
      /Plugin "@acme\/not-installed-anywhere" \(plugins.storage\[0\].use\) was not found/,
    );
  }
});

test('not a deskrec plugin', async () => {
  const error = await loadError([storage('lodash')]);
  assert.equal((error as PluginLoadError).code, 'not-a-plugin');
  assert.equal(
    error.message,
    'Package "lodash" (plugins.storage[0].use) is not a deskrec plugin: its default export was not made with definePlugin() from @deskrec/core.',
  );
});

test('API version mismatch names wanted and actual', async () => {
  const error = await loadError([storage('@acme/deskrec-future')]);
  assert.equal((error as PluginLoadError).code, 'api-version');
  assert.equal(
    error.message,
    `Plugin "storage-future" 3.0.0 (plugins.storage[0].use) targets deskrec plugin API "^2.0.0", but this @deskrec/core provides API ${CORE_API_VERSION}. Install a version of the plugin built for API ${CORE_API_VERSION}.`,
  );
});

test('kind mismatch', async () => {
  const error = await loadError([storage('@deskrec/pbx-fake')]);
  assert.equal((error as PluginLoadError).code, 'kind-mismatch');
  assert.equal(
    error.message,
    'Package "@deskrec/pbx-fake" (plugins.storage[0].use) provides a "call-events" plugin, but a "storage" plugin is expected here.',
  );
});

test('invalid options name the plugin and the exact option path', async () => {
  const error = await loadError([storage('memory', { limits: { maxObjects: -1 } })]);
  assert.equal((error as PluginLoadError).code, 'invalid-options');
  assert.equal(
    error.message,
    'Invalid options for plugin "storage-memory" (plugins.storage[0].options): options.bucket: Invalid input: expected string, received undefined; options.limits.maxObjects: Too small: expected number to be >0',
  );
});

test('a misspelt option is an error naming the path and the nearest valid key, not silently dropped', async () => {
  const error = await loadError([
    storage('memory', { bucket: 'a', buckte: 'b', limits: { maxObject: 3 }, colour: 'red' }),
  ]);
  assert.equal((error as PluginLoadError).code, 'invalid-options');
  assert.equal(
    error.message,
    'Invalid options for plugin "storage-memory" (plugins.storage[0].options): options.buckte: unknown option; did you mean "bucket"?; options.limits.maxObject: unknown option; did you mean "maxObjects"?; options.colour: unknown option; remove it or check its spelling; options.limits.maxObjects: Invalid input: expected number, received undefined',
  );
});

test('unknown options are checked through unions, pipes and defaults; loose objects accept any key', async () => {
  const { findUnknownOptions } = await import('../src/plugin/unknown-options.js');
  const { z } = await import('zod');
  const union = z
    .union([
      z.object({ mode: z.literal('a'), host: z.string() }),
      z.object({ mode: z.literal('b'), path: z.string() }),
    ])
    .default({ mode: 'a', host: 'x' });
  assert.deepEqual(findUnknownOptions(union, { mode: 'b', path: 'p' }, 'options'), []);
  assert.deepEqual(findUnknownOptions(union, { mode: 'b', paht: 'p' }, 'options'), [
    { path: 'options.paht', suggestion: 'path' },
  ]);
  const piped = z.object({ secret: z.string() }).transform((o) => o.secret);
  assert.deepEqual(findUnknownOptions(piped, { pasword: 'x', secret: 'y' }, 'options'), [
    { path: 'options.pasword' },
  ]);
  assert.deepEqual(findUnknownOptions(z.object({ a: z.string() }).loose(), { b: 1 }, 'options'), []);
});

test('create() failure', async () => {
  const error = await loadError([
    { kind: 'call-events', entry: { use: 'fake' }, where: 'plugins.callEvents[0]' },
  ]);
  assert.equal((error as PluginLoadError).code, 'create-failed');
  assert.equal(
    error.message,
    'Plugin "pbx-fake" (plugins.callEvents[0]) failed to start: cannot reach pbx.example: connection refused',
  );
});

test('duplicate instance ids', async () => {
  const error = await loadError([
    storage('memory', { bucket: 'a' }),
    storage('memory', { bucket: 'b' }, undefined, 1),
  ]);
  assert.equal((error as PluginLoadError).code, 'duplicate-id');
  assert.equal(
    error.message,
    'Two storage plugins have the id "memory" (plugins.storage[0] and plugins.storage[1]); give each a distinct "id".',
  );
});

test('every problem is reported together and nothing is created', async () => {
  let created = 0;
  const counting = async (specifier: string) => {
    const mod = (await fixtureImporter(specifier)) as { default: { create: () => unknown } };
    if (specifier === '@deskrec/storage-memory') {
      const create = () => {
        created++;
        return mod.default.create();
      };
      return { default: { ...mod.default, create } };
    }
    return mod;
  };
  const error = await loadPlugins(
    [storage('memory', { bucket: 'ok' }), storage('s4', {}, 'x', 1), storage('lodash', {}, 'y', 2)],
    {
      ...options,
      importer: counting,
    },
  ).catch((e: Error) => e);
  assert.ok(error instanceof PluginLoadErrors || error instanceof PluginLoadError);
  if (error instanceof PluginLoadErrors) {
    assert.deepEqual(
      error.errors.map((e) => e.code),
      ['unknown-plugin', 'not-a-plugin'],
    );
  }
  assert.equal(created, 0, 'a config with a problem starts nothing');
});

test('a later create() failure closes the instances already created', async () => {
  const error = await loadError([
    storage('memory', { bucket: 'a' }),
    { kind: 'call-events', entry: { use: 'fake' }, where: 'plugins.callEvents[0]' },
  ]);
  assert.equal((error as PluginLoadError).code, 'create-failed');
});

test.run();
