import { PluginLoadError, validatePluginOptions } from '@deskrec/core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import plugin from '../src/index.js';

test('the definition is a call-events plugin whose secret is marked as one', () => {
  assert.is(plugin.kind, 'call-events');
  assert.equal(plugin.secrets, ['secret']);
});

test('a short secret is refused with the option path', () => {
  try {
    validatePluginOptions(plugin, { secret: 'short' }, 'plugins.callEvents[0].options');
    assert.unreachable('a short secret must be refused');
  } catch (error) {
    assert.instance(error, PluginLoadError);
    assert.match((error as Error).message, 'secret');
  }
});

test.run();
