import { PluginLoadError, validatePluginOptions } from '@deskrec/core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import plugin from '../src/index.js';

test('the definition is a storage plugin for this core', () => {
  assert.is(plugin.kind, 'storage');
  assert.is(plugin.id, '__PLUGIN_ID__');
});

test('a missing root is refused with the option path', () => {
  try {
    validatePluginOptions(plugin, {}, 'storage target');
    assert.unreachable('options without root must be refused');
  } catch (error) {
    assert.instance(error, PluginLoadError);
    assert.match((error as Error).message, 'root');
  }
});

test.run();
