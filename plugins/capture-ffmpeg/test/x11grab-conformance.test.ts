import { captureBackendKit } from '@deskrec/core/testing';
import { suite } from 'uvu';
import plugin, { type FfmpegCaptureSession } from '../src/index.js';
import { backend, FFMPEG } from './helpers.js';
import { startXvfb, x } from './xvfb.js';

if (process.env.DESKREC_TEST_SYSTEM === '1') {
  // One wide screen split into two RandR monitors, the way a real dual-head desktop looks to X clients.
  const xvfb = await startXvfb(['3840x1080x24']);
  await x(xvfb, 'xrandr', ['--setmonitor', 'left', '1920/508x1080/286+0+0', 'none']);
  await x(xvfb, 'xrandr', ['--setmonitor', 'right', '1920/508x1080/286+1920+0', 'none']);
  await x(xvfb, 'xsetroot', ['-solid', '#336699']);
  captureBackendKit({
    name: 'capture-ffmpeg (x11grab on Xvfb, two monitors)',
    capabilities: plugin.capabilities,
    create: () => backend({ input: 'x11grab', display: xvfb.display }),
    ffmpegPath: FFMPEG,
    // The screen is still, so dropStillFrames keeps one frame a second: a file ends up to 1 s early.
    durationToleranceMs: 1300,
    kill: (session) => process.kill((session as FfmpegCaptureSession).pid!, 'SIGKILL'),
  });
} else {
  const skipped = suite('capture kit: capture-ffmpeg (x11grab on Xvfb)');
  skipped.skip(
    'capture kit on x11grab (skipped: needs DESKREC_TEST_SYSTEM=1 and Debian xvfb, x11-xserver-utils)',
    () => {},
  );
  skipped.run();
}
