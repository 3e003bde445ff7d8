import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { silentLogger, systemClock } from '@deskrec/core';
import { suite } from 'uvu';
import plugin from '../src/index.js';
import { collect, FFMPEG, settings, sleep, tempDir } from './helpers.js';

const test = suite('capture-ffmpeg plugin manifest');

test('the manifest creates a backend from validated options', async () => {
  assert.equal(plugin.kind, 'capture');
  assert.equal(plugin.capabilities.multiMonitor, true);
  const bad = plugin.options.safeParse({ input: 'vnc' });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues[0]?.path, ['input']);
  const controller = new AbortController();
  const backend = await plugin.create(plugin.options.parse({ ffmpegPath: FFMPEG, input: 'lavfi' }), {
    logger: silentLogger,
    clock: systemClock,
    instanceId: 'ffmpeg',
    dataDir: await tempDir('plugin-data'),
    signal: controller.signal,
  });
  assert.match(backend.describe(), /^ffmpeg \S+ from option \(.+\), input lavfi$/);
  assert.ok(backend.capabilities.inputs.includes('lavfi'));

  const outputDir = await tempDir('plugin');
  const session = await backend.start({ captureId: 'abort', outputDir, settings: settings() });
  const segments = collect(session);
  await sleep(1500);
  controller.abort();
  const end = await session.ended;
  assert.equal(end.reason, 'stopped', 'the shutdown signal stops captures cleanly');
  assert.equal(segments.length, 1);
  await fs.rm(outputDir, { recursive: true, force: true });
});

test.run();
