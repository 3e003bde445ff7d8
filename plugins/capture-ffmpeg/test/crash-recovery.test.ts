import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import { probeMedia } from '../src/index.js';
import { backend, FFMPEG, settings, sleep, tempDir } from './helpers.js';

const test = suite('capture-ffmpeg when the agent process dies (lavfi)');
const script = fileURLToPath(new URL('./fixtures/capture-process.ts', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
test.after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

interface Reported {
  index: number;
  path: string;
  sha256: string;
}

/** Starts a capture in its own process; resolves once ffmpeg runs and `segments` segments were reported. */
async function captureProcess(outputDir: string, captureId: string, segments: number, firstIndex?: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, outputDir, captureId, ...(firstIndex ? [String(firstIndex)] : [])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  const reported: Reported[] = [];
  let ffmpegPid = 0;
  let buffer = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line) as { pid?: number; segment?: Reported };
        if (message.pid) ffmpegPid = message.pid;
        if (message.segment) reported.push(message.segment);
      }
      if (ffmpegPid && reported.length >= segments) resolve();
    });
    child.once('exit', (code) => reject(new Error(`capture process exited with ${code}`)));
  });
  return { child, reported, ffmpegPid };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function watchdogOf(ffmpegPid: number): Promise<number | undefined> {
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('deskrec-ffmpeg-watchdog') && cmdline.endsWith(`${ffmpegPid}\0`))
      return Number(entry);
  }
  return undefined;
}

const mp4s = async (dir: string) => (await fs.readdir(dir)).filter((n) => n.endsWith('.mp4')).sort();

test('ffmpeg ends when the process that started it is killed with SIGKILL, and its files play', async () => {
  const dir = await tempDir('orphan');
  dirs.push(dir);
  const run = await captureProcess(dir, 'orphan', 1);
  assert.ok(await watchdogOf(run.ffmpegPid), 'a watchdog watches ffmpeg');
  run.child.kill('SIGKILL');
  await until('ffmpeg to exit after its parent died', () => !alive(run.ffmpegPid));
  for (const name of await mp4s(dir)) {
    const info = await probeMedia(FFMPEG, path.join(dir, name), true);
    assert.ok(info && info.frames > 0, `${name} plays`);
  }
});

test('recover() ends an ffmpeg whose watchdog died too, and reports the unreported files under their own indexes', async () => {
  const dir = await tempDir('adopt');
  dirs.push(dir);
  const run = await captureProcess(dir, 'adopt', 2);
  const watchdog = await watchdogOf(run.ffmpegPid);
  assert.ok(watchdog, 'a watchdog watches ffmpeg');
  process.kill(watchdog, 'SIGKILL');
  run.child.kill('SIGKILL');
  await sleep(1500);
  assert.ok(alive(run.ffmpegPid), 'without its watchdog, ffmpeg keeps writing');
  const known = new Set(run.reported.map((r) => path.basename(r.path)));
  const recovered = await (await backend()).recover({ captureId: 'adopt', outputDir: dir, known });
  assert.ok(!alive(run.ffmpegPid), 'recover() ended the leftover ffmpeg');
  assert.ok(recovered.segments.length >= 1, 'the file ffmpeg was writing is recovered');
  const indexes = [...run.reported.map((r) => r.index), ...recovered.segments.map((s) => s.index)];
  assert.equal(new Set(indexes).size, indexes.length, `indexes are unique: ${indexes.join(', ')}`);
  for (const s of recovered.segments) {
    assert.ok(!known.has(path.basename(s.path)), 'known files are not reported again');
    assert.equal(Number(/-(\d+)\.mp4$/.exec(s.path)![1]), s.index, 'the index is the file counter');
    const info = await probeMedia(FFMPEG, s.path, true);
    assert.ok(info && info.frames > 0, `${s.path} plays`);
    assert.ok(Math.abs(s.startedAt.getTime() - Date.now()) < 600_000, 'startedAt is a real time');
  }
  const left = (await fs.readdir(dir)).filter((n) => !n.endsWith('.mp4'));
  assert.deepEqual(left, [], 'segment lists and the running file are gone');
  const again = await (await backend()).recover({
    captureId: 'adopt',
    outputDir: dir,
    known: new Set(await mp4s(dir)),
  });
  assert.deepEqual(again.segments, [], 'a second recovery finds nothing new');
});

test('a capture started with firstIndex numbers its files from there', async () => {
  const dir = await tempDir('first');
  dirs.push(dir);
  const b = await backend();
  const session = await b.start({ captureId: 'first', outputDir: dir, settings: settings(), firstIndex: 7 });
  const seen: number[] = [];
  session.onSegment((s) => seen.push(s.index));
  await sleep(2500);
  await session.stop();
  assert.equal(seen[0], 7);
  assert.deepEqual(
    seen,
    seen.map((_, i) => 7 + i),
  );
  assert.ok((await mp4s(dir))[0]!.endsWith('-00007.mp4'));
});

test('recover() of a folder whose ffmpeg is gone deletes frameless files and lists them as discarded', async () => {
  const dir = await tempDir('empty');
  dirs.push(dir);
  await fs.writeFile(path.join(dir, 'gone-m0-00003.mp4'), '');
  const recovered = await (await backend()).recover({ captureId: 'gone', outputDir: dir, known: new Set() });
  assert.deepEqual(recovered.segments, []);
  assert.equal(recovered.discarded.length, 1);
  assert.match(recovered.discarded[0]!.reason, /no video frame/);
  assert.deepEqual(await fs.readdir(dir), []);
});

test.run();
