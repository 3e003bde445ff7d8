import { PluginLoadError, validatePluginOptions } from '@deskrec/core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import plugin from '../src/index.js';

test('the definition is an auth plugin', () => {
  assert.is(plugin.kind, 'auth');
  assert.is(plugin.id, '__PLUGIN_ID__');
});

test('a secret length below 256 bits is refused with the option path', () => {
  try {
    validatePluginOptions(plugin, { minSecretLength: 8 }, 'plugins.auth.options');
    assert.unreachable('a short minimum must be refused');
  } catch (error) {
    assert.instance(error, PluginLoadError);
    assert.match((error as Error).message, 'minSecretLength');
  }
});

test.run();
