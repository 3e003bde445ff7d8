import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { type Demo, startDemo } from '../src/demo/index.js';
import { until } from './support/e2e-host.js';

const quiet = { write(_line: string) {} };
let demo: Demo | undefined;
let dataDir: string;

test.before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-demo-'));
});

// Each test stops its demo even when it fails, so one failure does not start the next demo beside a live one.
test.after.each(async () => {
  await demo?.stop();
  demo = undefined;
});

test.after(async () => {
  await fs.rm(dataDir, { recursive: true, force: true });
});

test('the demo records a simulated call for its auto-authorized agent and stops cleanly', async () => {
  // Xvfb is a Debian peer: only under DESKREC_TEST_SYSTEM; ffmpeg's test source otherwise.
  const capture = process.env.DESKREC_TEST_SYSTEM === '1' ? 'xvfb' : 'lavfi';
  demo = await startDemo({ dataDir, ephemeralPorts: true, capture, stdout: quiet });
  assert.equal(demo.username, 'admin');
  assert.ok(demo.firstStart);
  const db = demo.host.services().database.db;

  const stored = await until(
    'a call linked to a stored recording',
    async () =>
      db
        .selectFrom('call_recordings')
        .innerJoin('recordings', 'recordings.id', 'call_recordings.recording_id')
        .innerJoin('calls', 'calls.id', 'call_recordings.call_id')
        .select(['calls.external_call_id as callId', 'recordings.id as recordingId'])
        .where('recordings.state', '=', 'stored')
        .executeTakeFirst(),
    // Liveness only: a call of the simulator's length, its wrap-up, the upload and the store job.
    180_000,
  ).catch(async (error: Error) => {
    // Say which step never came: no call, no recording, or segments short of storage.
    const calls = await db
      .selectFrom('calls')
      .select(['external_call_id', 'state', 'no_recording_reason'])
      .execute();
    const recordings = await db.selectFrom('recordings').select(['id', 'state', 'end_reason']).execute();
    const segments = await db
      .selectFrom('segments')
      .select(['recording_id', 'idx', 'state', 'error'])
      .execute();
    throw new Error(`${error.message}\n${JSON.stringify({ calls, recordings, segments }, null, 1)}`);
  });
  assert.match(stored.callId, /^demo-/);
  const segments = await db
    .selectFrom('segments')
    .selectAll()
    .where('recording_id', '=', stored.recordingId)
    .execute();
  assert.ok(segments.length >= 1);
  for (const segment of segments) {
    assert.equal(segment.state, 'stored');
    const file = path.join(dataDir, 'recordings', ...segment.storage_key!.split('/'));
    assert.ok((await fs.stat(file)).size > 0, `${file} holds the uploaded video`);
  }

  // The simulator recorded a conversation for the call; the host stored it as the call's audio.
  const audio = await until(
    'the call’s audio to be stored',
    async () =>
      db
        .selectFrom('calls')
        .select(['audio_key', 'audio_fetch'])
        .where('external_call_id', '=', stored.callId)
        .where('audio_key', 'is not', null)
        .executeTakeFirst(),
    60_000,
  );
  assert.match(audio.audio_key!, /-audio\.wav$/);
  assert.match(audio.audio_fetch!, /^recorded by the source, \d+ bytes stored$/);
  const wav = await fs.readFile(path.join(dataDir, 'recordings', ...audio.audio_key!.split('/')));
  assert.equal(wav.subarray(0, 4).toString('ascii'), 'RIFF');
  // At least the simulator's shortest call (15 s) of 8 kHz 16-bit mono.
  assert.ok(wav.length >= 44 + 15 * 8000 * 2, `${wav.length} bytes of audio`);

  const workstations = await demo.host
    .services()
    .repos.workstations.list(demo.tenantId, { state: 'authorized' });
  assert.deepEqual(
    workstations.items.map((w) => w.computerName),
    ['DEMO-PC'],
  );

  const { child: agent } = demo.agent;
  const { host } = demo;
  const running = demo;
  demo = undefined;
  await running.stop();
  assert.notEqual(agent.exitCode ?? agent.signalCode, null, 'the agent process has exited');
  assert.throws(() => host.services(), /has not started/, 'the host has stopped');
});

test('a second run reuses the data folder and issues a new admin password', async () => {
  demo = await startDemo({ dataDir, ephemeralPorts: true, capture: 'lavfi', stdout: quiet });
  assert.equal(demo.firstStart, false);
  const response = await fetch(`${demo.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: demo.username,
      password: demo.password,
      tenant: 'default',
      bearer: true,
    }),
  });
  assert.equal(response.status, 200, 'the printed password signs in');
  await response.arrayBuffer();
  const users = await demo.host.services().repos.users.list(demo.tenantId);
  assert.deepEqual(
    users.map((u) => u.screenRecordingLogin),
    ['DEMO\\agent'],
    'the demo user is created once',
  );
  await demo.stop();
  demo = undefined;
});

test.run();
