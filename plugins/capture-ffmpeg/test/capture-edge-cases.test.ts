import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { suite } from 'uvu';
import { probeMedia } from '../src/index.js';
import { backend, collect, FFMPEG, settings, sleep, tempDir } from './helpers.js';

const test = suite('capture-ffmpeg edge cases (lavfi)');
const dirs: string[] = [];
const dir = async (name: string) => {
  const d = await tempDir(name);
  dirs.push(d);
  return d;
};
test.after(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

test('1920x1080 with max 640x480 is recorded as 640x360', async () => {
  const b = await backend();
  const session = await b.start({
    captureId: 'scaled',
    outputDir: await dir('scaled'),
    settings: settings({ maxWidth: 640, maxHeight: 480 }),
  });
  const segments = collect(session);
  await sleep(1500);
  assert.equal((await session.stop()).reason, 'stopped');
  const info = await probeMedia(FFMPEG, segments[0]!.path, true);
  assert.deepEqual([info?.width, info?.height], [640, 360]);
});

test('segments last the configured time and carry their start times', async () => {
  const b = await backend();
  const session = await b.start({ captureId: 'len', outputDir: await dir('len'), settings: settings() });
  const segments = collect(session);
  await sleep(7000);
  await session.stop();
  assert.ok(segments.length >= 4, `${segments.length} segments`);
  for (const s of segments.slice(0, -1)) assert.equal(s.durationMs, 2000, `segment ${s.index}`);
  for (const [i, s] of segments.entries()) {
    if (i > 0) assert.equal(s.startedAt.getTime() - segments[i - 1]!.startedAt.getTime(), 2000);
    assert.ok(await probeMedia(FFMPEG, s.path, true), `${s.path} decodes`);
  }
  const left = await fs.readdir(segments[0]!.path.replace(/\/[^/]+$/, ''));
  assert.deepEqual(
    left.filter((n) => !n.endsWith('.mp4')),
    [],
    'segment lists are removed at the end',
  );
});

test('a bad ffmpeg argument ends the session as failed with the stderr tail', async () => {
  const b = await backend({ extraInputArgs: ['-no_such_option', '1'] });
  const session = await b.start({ captureId: 'bad', outputDir: await dir('bad'), settings: settings() });
  const segments = collect(session);
  const end = await session.ended;
  assert.equal(end.reason, 'failed');
  assert.match(end.error ?? '', /exited with code \d+/);
  assert.ok(
    end.stderrTail?.some((l) => l.includes('no_such_option')),
    end.stderrTail?.join('\n'),
  );
  assert.ok((end.stderrTail?.length ?? 0) <= 20, 'at most 20 lines');
  assert.equal(segments.length, 0);
  assert.deepEqual(await session.stop(), end, 'stop() after a failure returns the failure');
});

test('losing the output folder mid-way fails the capture and keeps what was reported', async () => {
  const b = await backend();
  const out = await dir('lost');
  const session = await b.start({ captureId: 'lost', outputDir: out, settings: settings() });
  const segments = collect(session);
  await sleep(2600);
  await fs.rm(out, { recursive: true, force: true });
  const end = await session.ended;
  assert.equal(end.reason, 'failed', JSON.stringify(end));
  assert.ok(end.stderrTail?.length, 'the stderr tail explains it');
  assert.ok(segments.length >= 1, 'the segment closed before the loss was reported');
});

test('SIGKILL mid-way leaves the partial segment, reported and playable', async () => {
  const b = await backend();
  const session = await b.start({
    captureId: 'killed',
    outputDir: await dir('killed'),
    settings: settings({ maxFileSeconds: 3600 }),
  });
  const segments = collect(session);
  await sleep(4000);
  process.kill((session as { pid?: number }).pid!, 'SIGKILL');
  const end = await session.ended;
  assert.equal(end.reason, 'failed');
  assert.match(end.error ?? '', /SIGKILL/);
  assert.equal(segments.length, 1, 'the unclosed file is reported');
  const info = await probeMedia(FFMPEG, segments[0]!.path, true);
  assert.ok(info && info.durationMs >= 2000, `plays ${info?.durationMs} ms of the 4 s recorded`);
  assert.equal(segments[0]!.durationMs, info.durationMs);
});

test('stop right after start resolves cleanly', async () => {
  const b = await backend();
  const session = await b.start({ captureId: 'quick', outputDir: await dir('quick'), settings: settings() });
  const segments = collect(session);
  const end = await session.stop();
  assert.equal(end.reason, 'stopped');
  for (const s of segments) assert.ok(await probeMedia(FFMPEG, s.path, true), `${s.path} decodes`);
});

test('segments reported before a listener is attached are not lost', async () => {
  const b = await backend();
  const session = await b.start({ captureId: 'late', outputDir: await dir('late'), settings: settings() });
  await sleep(2800);
  const segments = collect(session);
  assert.equal(segments.length, 1, 'the first segment was held back for the listener');
  await session.stop();
  assert.ok(segments.length >= 2);
});

test.run();
