/**
 * Export benchmark: a 1-hour call (60 one-minute low-res segments from ffmpeg's testsrc and an hour of audio,
 * synthesized once and cached in the temp folder) exported through the real route of a real host, against
 * the same ffmpeg encode reading the same files directly from disk (the baseline, same run). Reports wall
 * time over real time and the peak RSS of the host process and of ffmpeg, sampled every 100 ms.
 * `npm run bench:export -- --minutes 60 --size 320x180 --fps 5`
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { planExport } from '../src/export/export-plan.js';
import { ffmpegArgs, laneList } from '../src/export/ffmpeg-args.js';
import { startPortalHost } from '../test/support/portal-host.js';
import { makeAudio, seedCall } from '../test/support/portal-media.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    size: { type: 'string', default: '320x180' },
    fps: { type: 'string', default: '5' },
  },
});
const minutes = Number(values.minutes);
const fps = Number(values.fps);
const MiB = 1024 * 1024;

/** One-minute fragmented MP4 segments, as the agent writes them; made once per shape. */
async function segments(): Promise<{ dir: string; files: string[]; audio: string }> {
  const dir = path.join(os.tmpdir(), `deskrec-bench-export-${minutes}m-${values.size}-${fps}fps`);
  const files = Array.from({ length: minutes }, (_, i) =>
    path.join(dir, `seg-${String(i).padStart(3, '0')}.mp4`),
  );
  const audio = path.join(dir, 'call.m4a');
  if (files.every((f) => existsSync(f)) && existsSync(audio)) return { dir, files, audio };
  await fs.mkdir(dir, { recursive: true });
  console.log(`synthesizing ${minutes} min of ${values.size} @ ${fps} fps into ${dir} (once)`);
  await run(ffmpeg.path, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${values.size}:rate=${fps}:duration=${minutes * 60}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(fps * 2),
    '-f',
    'segment',
    '-segment_time',
    '60',
    '-reset_timestamps',
    '1',
    '-segment_format_options',
    'movflags=frag_keyframe+empty_moov',
    path.join(dir, 'seg-%03d.mp4'),
  ]);
  await makeAudio(dir, minutes * 60);
  return { dir, files, audio };
}

/** Peak VmRSS of a process (from /proc) while `sampling` runs. */
function sampleRss(pidOf: () => number | undefined) {
  let peak = 0;
  const timer = setInterval(async () => {
    const pid = pidOf();
    if (pid === undefined) return;
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak = Math.max(peak, kb * 1024);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** The ffmpeg child of this process, if one runs. */
async function ffmpegChild(): Promise<number | undefined> {
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match?.[1] === 'ffmpeg' && Number(match[2]) === process.pid) return Number(entry);
  }
  return undefined;
}

const media = await segments();
const realSeconds = minutes * 60;

// Baseline: the same plan and encode, ffmpeg reading the files from disk itself, output drained.
const loaded = {
  call: {
    started_at: new Date(0),
    ended_at: new Date(realSeconds * 1000),
    audio_key: media.audio,
    audio_target_id: null,
  },
  segments: media.files.map((file, i) => ({
    id: String(i),
    monitor_id: '0',
    started_at: new Date(i * 60_000),
    duration_ms: 60_000,
    state: 'stored',
    storage_key: file,
    storage_target_id: null,
  })),
};
const planned = planExport({ ...loaded, now: new Date() });
if (!planned.ok) throw new Error('no plan');
const listFile = path.join(media.dir, 'baseline.ffconcat');
const local = {
  laneList: () => listFile,
  segment: (_: number, j: number) => media.files[j]!,
  audio: media.audio,
};
await fs.writeFile(listFile, laneList(planned.plan.lanes[0]!, 0, local));
const baselineArgs = ffmpegArgs(planned.plan, local, fps).map((a) =>
  a === 'http,tcp' ? 'file,http,tcp' : a,
);
const baseline = await (async () => {
  const started = performance.now();
  const child = spawn(ffmpeg.path, baselineArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const rss = sampleRss(() => child.pid);
  let bytes = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`baseline ffmpeg exited ${code}`);
  return { seconds: (performance.now() - started) / 1000, bytes, ffmpegRss: rss.stop() };
})();

// The host: its real export route, segments and audio in its local storage target.
const p = await startPortalHost('embedded');
try {
  const cookie = await p.signIn();
  await p.t.host.services().repos.settings.put(p.tenantId, {
    ...(await p.t.host.services().repos.settings.get(p.tenantId)),
    fps,
  });
  const call = await seedCall(
    p,
    {
      audio: media.audio,
      segments: media.files.map((file, i) => ({ file, offsetMs: i * 60_000, durationMs: 60_000 })),
    },
    { callSeconds: realSeconds },
  );
  global.gc?.();
  const idle = process.memoryUsage().rss;
  let ffmpegPid: number | undefined;
  const finding = setInterval(async () => {
    ffmpegPid ??= await ffmpegChild();
  }, 50);
  const hostRss = sampleRss(() => process.pid);
  const ffmpegRss = sampleRss(() => ffmpegPid);
  const started = performance.now();
  const res = await p.fetch(`/api/calls/${call.callId}/export`, { cookie });
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  let bytes = 0;
  for await (const chunk of res.body!) bytes += chunk.length;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(finding);
  const host = { seconds, bytes, hostRss: hostRss.stop(), ffmpegRss: ffmpegRss.stop() };

  const line = (name: string, r: { seconds: number; bytes: number }) =>
    `${name.padEnd(10)} ${r.seconds.toFixed(1).padStart(6)} s wall = ${(r.seconds / realSeconds).toFixed(4)}× real time, ` +
    `${(r.bytes / MiB).toFixed(1)} MiB MP4`;
  console.log(
    `${minutes} min call, ${media.files.length} segments of ${values.size} @ ${fps} fps, with audio`,
  );
  console.log(
    `${line('export', host)}; host RSS peak ${(host.hostRss / MiB).toFixed(0)} MiB (idle ${(idle / MiB).toFixed(0)} MiB), ffmpeg RSS peak ${(host.ffmpegRss / MiB).toFixed(0)} MiB`,
  );
  console.log(`${line('baseline', baseline)}; ffmpeg RSS peak ${(baseline.ffmpegRss / MiB).toFixed(0)} MiB`);
  console.log(`export / baseline wall time: ${(host.seconds / baseline.seconds).toFixed(2)}`);
} finally {
  await p.stop();
}
