import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type CallEvent, CallEventSchema, silentLogger } from '@deskrec/core';
import { test } from 'uvu';
import { SimulatorOptionsSchema, SimulatorSource, simulateCalls } from '../src/index.js';

const OPTIONS = {
  agents: '4001-4003',
  callsPerMinute: 600,
  duration: { medianSeconds: 0.3, p90Seconds: 0.5, minSeconds: 0.2, maxSeconds: 0.6 },
  ringSeconds: { min: 0, max: 0.01 },
  transferGapSeconds: { min: 0, max: 0.05 },
  transferProbability: 0.5,
  holdProbability: 0,
  abandonedProbability: 0,
  wrapUpSeconds: 0,
  seed: 5,
  maxCalls: 6,
  audio: true,
};

test('with `audio`, each answered call’s last call.ended brings a WAV of the whole call', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-sim-audio-'));
  const planned = simulateCalls(OPTIONS, 6);
  const events: CallEvent[] = [];
  let done: () => void = () => {};
  const all = new Promise<void>((resolve) => (done = resolve));
  const sim = new SimulatorSource(SimulatorOptionsSchema.parse(OPTIONS), {
    clock: { now: () => new Date(0) },
    logger: silentLogger,
    audioDir: dir,
  });
  await sim.start({
    event(event) {
      events.push(event);
      if (events.length === planned.events.length) done();
    },
    problem() {},
  });
  await all;
  await sim.stop();
  try {
    const ends = events.filter((e) => e.type === 'call.ended');
    const withAudio = ends.filter((e) => e.audio);
    assert.equal(withAudio.length, planned.calls.filter((c) => c.legs.length).length, 'one file per call');
    const answered = planned.calls.filter((c) => c.legs.length);
    assert.ok(
      answered.some((c) => c.outcome === 'transferred'),
      'the seed gives a transfer',
    );
    for (const call of answered) {
      const last = ends.filter((e) => e.callId === call.callId).at(-1)!;
      assert.ok(CallEventSchema.safeParse(last).success);
      assert.equal(last.audio?.contentType, 'audio/wav');
      assert.equal(path.dirname(last.audio!.path), dir);
      const wav = await fs.readFile(last.audio!.path);
      assert.equal(wav.subarray(0, 4).toString('ascii'), 'RIFF');
      assert.equal(wav.subarray(8, 12).toString('ascii'), 'WAVE');
      assert.equal(wav.readUInt32LE(24), 8000, 'sample rate');
      // From the first leg's start to the last leg's end, 16-bit mono.
      const seconds = (call.legs.at(-1)!.endMs - call.legs[0]!.startMs) / 1000;
      assert.equal(wav.length, 44 + Math.round(seconds * 8000) * 2);
      const samples = new Int16Array(wav.buffer, wav.byteOffset + 44, (wav.length - 44) / 2);
      assert.ok(
        samples.some((s) => Math.abs(s) > 3000),
        'it is not silence',
      );
    }
    const transferred = ends.filter((e) => e.reason === 'transferred');
    assert.ok(transferred.length > 0);
    assert.ok(
      transferred.every((e) => e.audio === undefined),
      'a transfer’s first end carries no file',
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test.run();
