import assert from 'node:assert/strict';
import {
  type CallEventSource,
  isPluginManifest,
  type PluginContext,
  silentLogger,
  systemClock,
  validatePluginOptions,
} from '@deskrec/core';
import { suite } from 'uvu';
import plugin, { expandAgentSpec, SimulatorSource } from '../src/index.js';

const options = suite('pbx-simulator: options and manifest');

options('agent specs expand ranges, lists and zero-padded numbers', () => {
  assert.deepEqual(expandAgentSpec('1001-1003'), { ok: true, extensions: ['1001', '1002', '1003'] });
  assert.deepEqual(expandAgentSpec('0098-0100, 2001,2001'), {
    ok: true,
    extensions: ['0098', '0099', '0100', '2001'],
  });
  assert.deepEqual(validatePluginOptions(plugin, { agents: [{ extension: '7' }, { extension: '8' }] }, 't'), {
    ...(validatePluginOptions(plugin, { agents: '7,8' }, 't') as object),
  });
});

options('bad options name the field', () => {
  const cases: [unknown, RegExp][] = [
    [{ agents: '1050-1001' }, /options\.agents: range "1050-1001" ends before it starts/],
    [{ agents: '1-200000' }, /options\.agents: more than 100000 agents/],
    [{ agents: 'a b' }, /options\.agents: "a b" is neither an extension nor a range/],
    [
      { agents: '1001', duration: { medianSeconds: 60, p90Seconds: 30 } },
      /options\.duration\.p90Seconds: must be greater/,
    ],
    [
      { agents: '1001', ringSeconds: { min: 5, max: 1 } },
      /options\.ringSeconds\.max: must not be less than min/,
    ],
    [{ agents: '1001', transferProbability: 2 }, /options\.transferProbability: /],
    [
      { agents: '1001', directions: { inbound: 0, outbound: 0, internal: 0 } },
      /options\.directions: at least one/,
    ],
    [{ agents: '1001', callsPerMinute: 0 }, /options\.callsPerMinute: /],
  ];
  for (const [input, message] of cases)
    assert.throws(() => validatePluginOptions(plugin, input, 'test'), message);
});

options('every option key is described', () => {
  for (const [key, schema] of Object.entries(plugin.options.shape)) assert.ok(schema.description, key);
});

options('manifest creates a timer-driven call-events source', async () => {
  assert.ok(isPluginManifest(plugin));
  assert.equal(plugin.kind, 'call-events');
  assert.deepEqual(plugin.capabilities, { http: false, persistentConnection: false });
  const context: PluginContext = {
    logger: silentLogger,
    clock: systemClock,
    instanceId: 'sim',
    dataDir: '/tmp',
    signal: new AbortController().signal,
  };
  const source = await plugin.create(
    validatePluginOptions(plugin, { agents: '1001-1010' }, 't') as never,
    context,
  );
  assert.ok(source instanceof SimulatorSource);
  assert.equal((source as CallEventSource).handleHttp, undefined);
  assert.equal(source.health().state, 'starting');
});

options.run();
