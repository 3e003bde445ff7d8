// Measures what a 1920x1080, 5 fps capture of an office-like screen costs, for the default settings and
// the alternatives tried: CPU seconds per second of video (ffmpeg's utime+stime from /proc) and MB per hour.
// Runs under Xvfb (Debian xvfb, xterm, x11-xserver-utils). Variants run one after another over the same
// periodic scene; the first variant is the baseline the others are compared with.
// Usage: npm run bench:capture [-- seconds]   (default 60; frames land in bench-out/ for a legibility check)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { CapturedSegment, CaptureSettings } from '@deskrec/core';
import {
  FfmpegCaptureBackend,
  type FfmpegCaptureOptionsInput,
  FfmpegCaptureOptionsSchema,
  type FfmpegCaptureSession,
  resolveFfmpeg,
} from '../src/index.js';
import { DEFAULT_X264_PARAMS } from '../src/options.js';
import { startXvfb } from '../test/xvfb.js';

const seconds = Number(process.argv[2] ?? 60);
const WARMUP_S = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const outDir = path.resolve(import.meta.dirname, '..', 'bench-out');
const settings: CaptureSettings = {
  fps: 5,
  bitrateKbps: 300,
  maxFileSeconds: 600,
  maxRecordingSeconds: 7200,
  multiMonitor: 'primary',
  maxWidth: 1920,
  maxHeight: 1080,
};

const decimate = { dropStillFrames: true };
const noDelay = ['-x264-params', 'rc-lookahead=0:sync-lookahead=0:bframes=0'];
// zerolatency plus x264 parameters for text; the explicit no-delay form (tune none) encodes the same bits.
const textParams = (x264Params: string) => ({ ...decimate, x264Params });
const textDefaults = textParams(DEFAULT_X264_PARAMS);
const x264 = (preset: string, tune: string, crf: number | null, keyframeSeconds: number, extra = {}) =>
  ({
    preset,
    tune,
    crf,
    keyframeSeconds,
    threads: 1,
    dropStillFrames: false,
    x264Params: '',
    ...extra,
  }) as FfmpegCaptureOptionsInput;
const variants: { name: string; options: FfmpegCaptureOptionsInput }[] = [
  // MACHINE-NOTES starting point: x264 defaults (B-frames, lookahead, 250-frame GOP, automatic threads).
  {
    name: 'baseline: veryfast crf28, x264 defaults',
    options: x264('veryfast', 'none', 28, 50, { threads: 0 }),
  },
  { name: 'veryfast zerolatency crf30 gop60s', options: x264('veryfast', 'zerolatency', 30, 60) },
  { name: 'ultrafast zerolatency crf30 gop60s', options: x264('ultrafast', 'zerolatency', 30, 60) },
  { name: 'veryfast stillimage crf30 gop60s', options: x264('veryfast', 'stillimage', 30, 60) },
  { name: 'veryfast zerolatency 300k ABR gop60s', options: x264('veryfast', 'zerolatency', null, 60) },
  {
    name: 'veryfast zerolatency crf30 gop60s mpdecimate',
    options: x264('veryfast', 'zerolatency', 30, 60, decimate),
  },
  {
    name: 'superfast zerolatency crf30 gop600s mpdecimate',
    options: x264('superfast', 'zerolatency', 30, 600, decimate),
  },
  {
    name: 'veryfast zerolatency crf32 gop600s mpdecimate',
    options: x264('veryfast', 'zerolatency', 32, 600, decimate),
  },
  {
    name: 'veryfast zerolatency crf34 gop600s mpdecimate',
    options: x264('veryfast', 'zerolatency', 34, 600, decimate),
  },
  {
    name: 'veryfast stillimage crf32 gop600s mpdecimate',
    options: x264('veryfast', 'stillimage', 32, 600, decimate),
  },
  {
    // stillimage's psy and deblocking for text, without its lookahead (which delays frames, i.e. crash loss).
    name: 'veryfast stillimage no-lookahead crf32 gop600s mpdecimate',
    options: x264('veryfast', 'stillimage', 32, 600, { ...decimate, extraOutputArgs: noDelay }),
  },
  {
    name: 'veryfast stillimage no-lookahead crf34 gop600s mpdecimate',
    options: x264('veryfast', 'stillimage', 34, 600, { ...decimate, extraOutputArgs: noDelay }),
  },
  {
    // Same QP for every frame: still frames after a new page stop re-spending bits on it.
    name: 'veryfast zerolatency qcomp=1 crf32 gop600s mpdecimate',
    options: x264('veryfast', 'zerolatency', 32, 600, textParams('qcomp=1')),
  },
  {
    name: 'slower zerolatency qcomp=1 crf32 gop600s mpdecimate',
    options: x264('slower', 'zerolatency', 32, 600, textParams('qcomp=1')),
  },
  {
    name: 'veryfast zerolatency scenecut=0 qcomp=1 umh merange=64 trellis=2 crf30 gop600s mpdecimate',
    options: x264(
      'veryfast',
      'zerolatency',
      30,
      600,
      textParams('scenecut=0:qcomp=1:me=umh:merange=64:trellis=2'),
    ),
  },
  {
    name: 'veryfast zerolatency scenecut=0 qcomp=1 umh merange=128 trellis=2 crf30 gop600s mpdecimate (default)',
    options: x264('veryfast', 'zerolatency', 30, 600, textDefaults),
  },
  {
    name: 'the default at crf28',
    options: x264('veryfast', 'zerolatency', 28, 600, textDefaults),
  },
  {
    name: 'the default at crf32',
    options: x264('veryfast', 'zerolatency', 32, 600, textDefaults),
  },
  {
    name: 'the default with x264 qcomp (0.6) crf32',
    options: x264('veryfast', 'zerolatency', 32, 600, textParams('scenecut=0:me=umh:merange=128:trellis=2')),
  },
];
const only = process.env.BENCH_VARIANTS?.split(',').map(Number);

function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/PID/stat (12 and 13 after the command name), in ticks.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim() || 100);
}

/** Bytes written so far: fragments are flushed every second, so the file size follows the encoder. */
function bytesIn(dir: string): number {
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.mp4'))
    .reduce((sum, n) => sum + fs.statSync(path.join(dir, n)).size, 0);
}

fs.mkdirSync(outDir, { recursive: true });
const xvfb = await startXvfb(['1920x1080x24']);
const scene = spawn('sh', [path.join(import.meta.dirname, 'office-scene.sh')], {
  env: { ...process.env, DISPLAY: xvfb.display },
  stdio: 'ignore',
  detached: true,
});
await sleep(2000);

// One variant at a time: captures running side by side on two cores made x11grab miss frames.
const runs = [];
for (const [i, variant] of variants.entries()) {
  if (only && !only.includes(i)) continue;
  const options = FfmpegCaptureOptionsSchema.parse({
    input: 'x11grab',
    display: xvfb.display,
    ...variant.options,
  });
  const backend = new FfmpegCaptureBackend(await resolveFfmpeg(options.ffmpegPath), options);
  const dir = path.join(outDir, `variant-${i}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const session = (await backend.start({
    captureId: `v${i}`,
    outputDir: dir,
    settings,
  })) as FfmpegCaptureSession;
  const segments: CapturedSegment[] = [];
  session.onSegment((s) => segments.push(s));
  await sleep(WARMUP_S * 1000);
  const before = { cpu: cpuSeconds(session.pid!), bytes: bytesIn(dir) };
  const t0 = Date.now();
  await sleep(seconds * 1000);
  const cpu = cpuSeconds(session.pid!) - before.cpu;
  const grown = bytesIn(dir) - before.bytes;
  const wall = (Date.now() - t0) / 1000;
  await session.stop();
  runs.push({ index: i, variant, backend, segments, cpuPerSecond: cpu / wall, bytesPerSecond: grown / wall });
  console.error(`${variant.name}: done`);
}
process.kill(-scene.pid!, 'SIGTERM');
xvfb.stop();

const rows = runs.map((r) => {
  const i = r.index;
  const videoSeconds = r.segments.reduce((sum, s) => sum + s.durationMs, 0) / 1000;
  const png = path.join(outDir, `variant-${i}.png`);
  const file = r.segments[0]?.path;
  if (file) {
    spawnSync(r.backend.binary.path, [
      '-v',
      'error',
      '-y',
      '-ss',
      String(Math.min(30, videoSeconds / 2)),
      '-i',
      file,
      '-frames:v',
      '1',
      png,
    ]);
  }
  return {
    index: i,
    name: r.variant.name,
    cpuPerVideoSecond: r.cpuPerSecond,
    mbPerHour: (r.bytesPerSecond * 3600) / 1e6,
    videoSeconds,
  };
});
const base = rows[0]!;
const ffmpegVersion = runs[0]!.backend.describe();
console.log(`capture bench: ${seconds} s of 1920x1080 at 5 fps, office scene on Xvfb, ${ffmpegVersion}`);
console.log(
  '| variant | CPU s per video s | % of one core | vs baseline | MB per hour | vs baseline | video s | frame |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---|');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${row.cpuPerVideoSecond.toFixed(4)} | ${(row.cpuPerVideoSecond * 100).toFixed(1)} % | ` +
      `${(row.cpuPerVideoSecond / base.cpuPerVideoSecond).toFixed(2)} | ${row.mbPerHour.toFixed(1)} | ` +
      `${(row.mbPerHour / base.mbPerHour).toFixed(2)} | ${row.videoSeconds.toFixed(1)} | bench-out/variant-${row.index}.png |`,
  );
}
