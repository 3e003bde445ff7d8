import { PluginLoadError, validatePluginOptions } from '@deskrec/core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import plugin from '../src/index.js';

test('the definition is a capture plugin', () => {
  assert.is(plugin.kind, 'capture');
  assert.is(plugin.id, '__PLUGIN_ID__');
});

test('an unknown input is refused with the option path', () => {
  try {
    validatePluginOptions(plugin, { input: 'webcam' }, 'capture.options');
    assert.unreachable('an unknown input must be refused');
  } catch (error) {
    assert.instance(error, PluginLoadError);
    assert.match((error as Error).message, 'input');
  }
});

test.run();
