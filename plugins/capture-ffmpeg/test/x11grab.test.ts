import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { suite } from 'uvu';
import { probeMedia } from '../src/index.js';
import { backend, collect, FFMPEG, settings, sleep, tempDir } from './helpers.js';
import { near, pixelPerFrame } from './pixels.js';
import { startXvfb, x } from './xvfb.js';

const test = suite('capture-ffmpeg x11grab under Xvfb');
const SYSTEM = process.env.DESKREC_TEST_SYSTEM === '1';
const RED = [255, 0, 0];
const BLUE = [0, 0, 255];

if (!SYSTEM) {
  test.skip('x11grab tests (skipped: need DESKREC_TEST_SYSTEM=1 and Debian xvfb, x11-xserver-utils, xterm)', () => {});
} else {
  const dirs: string[] = [];
  test.after(async () => {
    await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
  });

  test('records what is drawn on the screen', async () => {
    const xvfb = await startXvfb(['1920x1080x24']);
    try {
      await x(xvfb, 'xsetroot', ['-solid', '#ff0000']);
      const b = await backend({ input: 'x11grab', display: xvfb.display });
      assert.match(b.describe(), /input x11grab on :\d+/);
      const [monitor] = await b.probeMonitors();
      assert.deepEqual([monitor?.width, monitor?.height, monitor?.primary], [1920, 1080, true]);
      const outputDir = await tempDir('x11');
      dirs.push(outputDir);
      const session = await b.start({
        captureId: 'x11',
        outputDir,
        settings: settings({ maxFileSeconds: 60 }),
      });
      const segments = collect(session);
      await sleep(2000);
      await x(xvfb, 'xsetroot', ['-solid', '#0000ff']);
      await sleep(2000);
      assert.equal((await session.stop()).reason, 'stopped');
      assert.equal(segments.length, 1);
      // Away from the centre, where the X server parks the pointer.
      const frames = await pixelPerFrame(FFMPEG, segments[0]!.path, 200, 200);
      assert.ok(near(frames[0]!, RED), `first frame is red: ${frames[0]}`);
      assert.ok(near(frames.at(-1)!, BLUE), `last frame is blue: ${frames.at(-1)}`);
    } finally {
      xvfb.stop();
    }
  });

  test('two monitors: one video each, each with its own content', async () => {
    const xvfb = await startXvfb(['3840x1080x24']);
    try {
      await x(xvfb, 'xrandr', ['--setmonitor', 'left', '1920/508x1080/286+0+0', 'none']);
      await x(xvfb, 'xrandr', ['--setmonitor', 'right', '1920/508x1080/286+1920+0', 'none']);
      await x(xvfb, 'xsetroot', ['-solid', '#ff0000']);
      xvfb.run('xterm', ['-geometry', '120x40+1920+0', '-bg', '#0000ff', '-fg', '#0000ff']);
      await sleep(1500);
      const b = await backend({ input: 'x11grab', display: xvfb.display });
      const monitors = await b.probeMonitors();
      assert.deepEqual(
        monitors.map((m) => [m.name, m.x, m.width, m.primary]),
        [
          ['left', 0, 1920, true],
          ['right', 1920, 1920, false],
        ],
      );
      const outputDir = await tempDir('x11-two');
      dirs.push(outputDir);
      const session = await b.start({
        captureId: 'two',
        outputDir,
        settings: settings({ multiMonitor: 'all', maxWidth: 960, maxHeight: 540 }),
      });
      const segments = collect(session);
      await sleep(2500);
      assert.equal((await session.stop()).reason, 'stopped');
      const left = segments.find((s) => s.monitorId === '0');
      const right = segments.find((s) => s.monitorId === '1');
      assert.ok(left && right, 'a video per monitor');
      for (const s of [left, right]) {
        const info = await probeMedia(FFMPEG, s.path, true);
        assert.deepEqual([info?.width, info?.height], [960, 540], `${s.path} scaled`);
      }
      assert.ok(
        near((await pixelPerFrame(FFMPEG, left.path, 100, 100)).at(-1)!, RED),
        'left shows the red root',
      );
      assert.ok(
        near((await pixelPerFrame(FFMPEG, right.path, 100, 100)).at(-1)!, BLUE),
        'right shows the blue xterm',
      );
    } finally {
      xvfb.stop();
    }
  });

  test('the X server dying mid-capture fails the capture with the stderr tail and keeps the file', async () => {
    const xvfb = await startXvfb(['1280x720x24']);
    const b = await backend({ input: 'x11grab', display: xvfb.display });
    const outputDir = await tempDir('x11-dies');
    dirs.push(outputDir);
    const session = await b.start({
      captureId: 'dies',
      outputDir,
      settings: settings({ maxFileSeconds: 60 }),
    });
    const segments = collect(session);
    await sleep(3000);
    xvfb.stop();
    const end = await session.ended;
    assert.equal(end.reason, 'failed', JSON.stringify(end));
    assert.ok(end.stderrTail?.length, 'stderr tail');
    assert.equal(segments.length, 1, 'the partial segment is reported');
    assert.ok(await probeMedia(FFMPEG, segments[0]!.path, true), 'and plays');
  });
}

test.run();
