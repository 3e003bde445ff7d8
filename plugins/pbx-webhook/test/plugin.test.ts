import assert from 'node:assert/strict';
import {
  isPluginManifest,
  type PluginContext,
  redactSecrets,
  silentLogger,
  systemClock,
  validatePluginOptions,
} from '@deskrec/core';
import { suite } from 'uvu';
import plugin, { WebhookSource } from '../src/index.js';
import { OLD_SECRET, SECRET } from './helpers.js';

const manifest = suite('pbx-webhook: plugin manifest and options');

const context: PluginContext = {
  logger: silentLogger,
  clock: systemClock,
  instanceId: 'pbx',
  dataDir: '/tmp',
  signal: new AbortController().signal,
};

manifest('declares an http call-events source and its secrets', async () => {
  assert.ok(isPluginManifest(plugin));
  assert.equal(plugin.kind, 'call-events');
  assert.deepEqual(plugin.capabilities, { http: true, persistentConnection: false });
  const source = await plugin.create(
    validatePluginOptions(plugin, { secret: SECRET }, 'test') as never,
    context,
  );
  assert.ok(source instanceof WebhookSource);
  assert.equal(typeof source.handleHttp, 'function');
});

manifest('defaults are applied', () => {
  const options = validatePluginOptions(plugin, { secret: SECRET }, 'test');
  assert.deepEqual(options, {
    secret: SECRET,
    previousSecrets: [],
    replayWindowSeconds: 300,
    tenantSecrets: {},
    maxBodyBytes: 262144,
    maxEventsPerRequest: 100,
    maxRememberedDeliveries: 100000,
  });
});

manifest('a short secret is refused, naming the option without echoing it', () => {
  assert.throws(
    () => validatePluginOptions(plugin, { secret: 'short-secret' }, 'hosts.pbx'),
    (error: Error) =>
      /options\.secret: must be at least 32 characters/.test(error.message) &&
      !error.message.includes('short-secret'),
  );
  assert.throws(
    () => validatePluginOptions(plugin, { secret: SECRET, previousSecrets: ['tiny'] }, 'x'),
    /options\.previousSecrets\.0: must be at least 32 characters/,
  );
});

manifest('every option key is described and every secret is redacted', () => {
  const shape = plugin.options.shape;
  for (const [key, schema] of Object.entries(shape))
    assert.ok(schema.description, `${key} has a description`);
  const redacted = redactSecrets(plugin, { secret: SECRET, previousSecrets: [OLD_SECRET], maxBodyBytes: 1 });
  assert.equal(JSON.stringify(redacted).includes(SECRET), false);
  assert.equal(JSON.stringify(redacted).includes(OLD_SECRET), false);
  assert.equal(redacted.maxBodyBytes, 1);
});

manifest.run();
