import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import type { CaptureSettings } from '../domain/settings.js';
import type {
  CaptureBackend,
  CaptureCapabilities,
  CapturedSegment,
  CaptureEnd,
  CaptureSession,
  Monitor,
} from '../ports/capture-backend.js';
import { digestOf } from './byte-source.js';
import { type KitSkip, skipReason } from './kit-skips.js';

export const CAPTURE_KIT_TESTS = [
  'declared capabilities',
  'probe monitors',
  'segments of the configured length',
  'stop finalizes the last segment',
  'scaled within max size keeping aspect',
  'never upscaled',
  'max recording duration ends the capture',
  'killed capture leaves playable files',
  'primary monitor only',
  'all monitors',
  'first index continues a capture',
  'recover finds the files of a killed capture under the same identity',
] as const;
export type CaptureKitTest = (typeof CAPTURE_KIT_TESTS)[number];

/** What the kit needs to know about a media file; `probe` throws when the file does not play. */
export interface MediaInfo {
  durationMs: number;
  width: number;
  height: number;
  frames: number;
}

export interface CaptureKitOptions {
  /** Shown in the test output, e.g. `capture-ffmpeg (lavfi)`. */
  name: string;
  /**
   * What the plugin declares: its manifest's `capabilities`. Each backend must report the same
   * `multiMonitor`, and only inputs the manifest names (a platform or ffmpeg build may offer fewer).
   */
  capabilities: CaptureCapabilities;
  /** Returns a backend; called once per test. */
  create(): Promise<CaptureBackend>;
  /**
   * Decodes a whole file and reports what it holds; throws when it does not play. Give this or `ffmpegPath`
   * (the kit then decodes with `ffmpeg -i FILE -f null -`).
   */
  probe?(file: string): Promise<MediaInfo>;
  ffmpegPath?: string;
  /** Kills the encoder as a crash would (SIGKILL); without it the crash test is skipped. */
  kill?(session: CaptureSession): void;
  /**
   * Segment length used by the tests, in seconds (default 2). The settings schema requires 10 or more;
   * the kit calls the backend directly to keep the run short.
   */
  segmentSeconds?: number;
  /**
   * How far a file's duration may be from the expected one; default one frame plus 300 ms. A backend that
   * drops still frames (variable frame rate) ends a file at its last changed frame and needs more.
   */
  durationToleranceMs?: number;
  /** Settings every test starts from (fps 5, bitrate 300 unless given). */
  settings?: Partial<CaptureSettings>;
  skip?: readonly KitSkip<CaptureKitTest>[];
}

interface Run {
  session: CaptureSession;
  segments: CapturedSegment[];
  outputDir: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const seconds = (hms: string) => hms.split(':').reduce((total, part) => total * 60 + Number(part), 0);

/** Probes with a plain ffmpeg binary (ffprobe is not always shipped): decode everything, read stderr. */
export function ffmpegProbe(ffmpegPath: string): (file: string) => Promise<MediaInfo> {
  return (file) =>
    new Promise((resolve, reject) => {
      const child = spawn(
        ffmpegPath,
        ['-hide_banner', '-nostdin', '-i', file, '-map', '0:v:0', '-f', 'null', '-'],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        err = (err + chunk).slice(-64 * 1024);
      });
      child.on('error', reject);
      child.on('close', (code) => {
        const size = /Stream #\d+:\d+.*Video: .*?, (\d{2,5})x(\d{2,5})/.exec(err);
        const progress = [...err.matchAll(/frame=\s*(\d+).*?time=\s*(\d+:\d+:[\d.]+)/g)].at(-1);
        // The container's own duration; the decoder's time= includes the start offset of B-frame delay.
        const header = /Duration: (\d+:\d+:[\d.]+), start: ([\d.]+)/.exec(err);
        if (code !== 0 || !size || !progress || Number(progress[1]) === 0) {
          const tail = err.trim().split('\n').slice(-5).join(' | ');
          reject(new Error(`${file} does not play (ffmpeg exit ${code}): ${tail}`));
          return;
        }
        const durationMs = header ? seconds(header[1]!) * 1000 : seconds(progress[2]!) * 1000;
        resolve({
          width: Number(size[1]),
          height: Number(size[2]),
          frames: Number(progress[1]),
          durationMs: Math.round(durationMs),
        });
      });
    });
}

/**
 * The behaviour every CaptureBackend must show. Call it once from a plugin's test file; it registers and runs
 * a uvu suite. Multi-monitor tests run only when `capabilities.multiMonitor` is declared, and the crash test
 * only when the implementation hands the kit a way to kill its encoder.
 */
export function captureBackendKit(options: CaptureKitOptions): void {
  const kit = suite(`capture kit: ${options.name}`);
  const segmentSeconds = options.segmentSeconds ?? 2;
  const probeFile =
    options.probe ??
    (options.ffmpegPath ? ffmpegProbe(options.ffmpegPath) : undefined) ??
    (() => {
      throw new Error('captureBackendKit needs `probe` or `ffmpegPath`');
    })();
  const tolerance = (fps: number) => options.durationToleranceMs ?? 1000 / fps + 300;
  const baseSettings = (overrides: Partial<CaptureSettings> = {}): CaptureSettings => ({
    fps: 5,
    bitrateKbps: 300,
    maxFileSeconds: segmentSeconds,
    maxRecordingSeconds: 3600,
    multiMonitor: 'primary',
    maxWidth: 16384,
    maxHeight: 16384,
    ...options.settings,
    ...overrides,
  });
  const dirs: string[] = [];

  async function begin(
    backend: CaptureBackend,
    settings: CaptureSettings,
    firstIndex?: number,
  ): Promise<Run> {
    const outputDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-capture-kit-'));
    dirs.push(outputDir);
    const captureId = `kit-${Date.now().toString(36)}`;
    const session = await backend.start({
      captureId,
      settings,
      outputDir,
      ...(firstIndex === undefined ? {} : { firstIndex }),
    });
    assert.equal(session.captureId, captureId, 'session.captureId');
    const segments: CapturedSegment[] = [];
    session.onSegment((segment) => segments.push(segment));
    return { session, segments, outputDir };
  }

  async function checkSegment(run: Run, segment: CapturedSegment): Promise<MediaInfo> {
    assert.equal(segment.captureId, run.session.captureId, 'segment.captureId');
    const stat = await fs.stat(segment.path).catch(() => undefined);
    assert.ok(stat?.isFile(), `segment file ${segment.path} exists`);
    const digest = await digestOf(createReadStream(segment.path));
    assert.equal(segment.bytes, digest.size, `bytes of ${segment.path}`);
    assert.equal(segment.sha256, digest.sha256, `sha256 of ${segment.path}`);
    assert.ok(segment.startedAt instanceof Date && !Number.isNaN(segment.startedAt.getTime()), 'startedAt');
    const info = await probeFile(segment.path);
    assert.ok(info.frames > 0, `${segment.path} has frames`);
    return info;
  }

  function byMonitor(segments: CapturedSegment[]): Map<string, CapturedSegment[]> {
    const map = new Map<string, CapturedSegment[]>();
    for (const s of segments) map.set(s.monitorId, [...(map.get(s.monitorId) ?? []), s]);
    for (const [monitorId, list] of map) {
      assert.deepEqual(
        list.map((s) => s.index),
        list.map((_, i) => i),
        `segment indexes of monitor ${monitorId} are 0, 1, 2... in order`,
      );
    }
    return map;
  }

  async function primaryOf(backend: CaptureBackend): Promise<Monitor> {
    const primary = (await backend.probeMonitors()).find((m) => m.primary);
    assert.ok(primary, 'a primary monitor');
    return primary;
  }

  const define = (
    name: CaptureKitTest,
    body: (backend: CaptureBackend) => Promise<void>,
    unavailable?: string,
  ) => {
    const reason = skipReason(options.skip, name) ?? unavailable;
    if (reason) {
      kit.skip(`${name} (skipped: ${reason})`, () => {});
      return;
    }
    kit(name, async () => {
      const backend = await options.create();
      await body(backend);
    });
  };

  kit.after(async () => {
    await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
  });

  define('declared capabilities', async (backend) => {
    assert.equal(
      backend.capabilities.multiMonitor,
      options.capabilities.multiMonitor,
      'the backend reports the multiMonitor its plugin declares',
    );
    for (const input of backend.capabilities.inputs) {
      assert.ok(
        options.capabilities.inputs.includes(input),
        `the backend reports input "${input}", which its plugin does not declare`,
      );
    }
  });

  define('probe monitors', async (backend) => {
    const monitors = await backend.probeMonitors();
    assert.ok(monitors.length >= 1, 'at least one monitor');
    assert.equal(monitors.filter((m) => m.primary).length, 1, 'exactly one primary monitor');
    assert.equal(new Set(monitors.map((m) => m.id)).size, monitors.length, 'monitor ids are unique');
    for (const m of monitors) {
      assert.ok(Number.isInteger(m.width) && m.width > 0, `width of monitor ${m.id}`);
      assert.ok(Number.isInteger(m.height) && m.height > 0, `height of monitor ${m.id}`);
    }
    assert.ok(backend.describe().length > 0, 'describe() says something');
  });

  define('segments of the configured length', async (backend) => {
    const settings = baseSettings();
    const run = await begin(backend, settings);
    await sleep(segmentSeconds * 2500 + 500);
    const end = await run.session.stop();
    assert.equal(end.reason, 'stopped', `stop reason (error: ${end.error})`);
    const segments = byMonitor(run.segments).get((await primaryOf(backend)).id) ?? [];
    assert.ok(segments.length >= 3, `at least 3 segments, got ${segments.length}`);
    for (const [i, segment] of segments.entries()) {
      const info = await checkSegment(run, segment);
      const last = i === segments.length - 1;
      assert.ok(
        Math.abs(segment.durationMs - info.durationMs) <= tolerance(settings.fps),
        `reported duration ${segment.durationMs} ms matches the file's ${info.durationMs} ms`,
      );
      // The first may be short by the grabber's start offset, the last is cut by stop().
      if (i > 0 && !last) {
        assert.ok(
          Math.abs(info.durationMs - segmentSeconds * 1000) <= tolerance(settings.fps),
          `segment ${i} lasts ${info.durationMs} ms, expected ${segmentSeconds * 1000}`,
        );
      } else {
        assert.ok(
          info.durationMs <= segmentSeconds * 1000 + tolerance(settings.fps),
          `segment ${i} not too long`,
        );
      }
    }
    for (let i = 1; i < segments.length; i++) {
      assert.ok(segments[i]!.startedAt >= segments[i - 1]!.startedAt, 'startedAt grows with the index');
    }
  });

  define('stop finalizes the last segment', async (backend) => {
    const run = await begin(backend, baseSettings({ maxFileSeconds: 3600 }));
    await sleep(1500);
    const end = await run.session.stop();
    assert.equal(end.reason, 'stopped', `stop reason (error: ${end.error})`);
    assert.deepEqual(await run.session.ended, end, '`ended` resolves with what stop() returned');
    assert.equal(run.segments.length, 1, 'one segment, reported before stop() resolved');
    const info = await checkSegment(run, run.segments[0]!);
    assert.ok(info.durationMs > 0, 'the last segment has a duration');
    const again = await run.session.stop();
    assert.deepEqual(again, end, 'a second stop() resolves with the same end');
  });

  define('scaled within max size keeping aspect', async (backend) => {
    const primary = await primaryOf(backend);
    const maxWidth = Math.max(160, Math.floor(primary.width / 3));
    const maxHeight = Math.max(120, Math.floor(primary.height / 2));
    const run = await begin(backend, baseSettings({ maxWidth, maxHeight }));
    await sleep(1200);
    await run.session.stop();
    const segment = run.segments.find((s) => s.monitorId === primary.id);
    assert.ok(segment, 'a segment of the primary monitor');
    const info = await checkSegment(run, segment);
    assert.ok(
      info.width <= maxWidth && info.height <= maxHeight,
      `${info.width}x${info.height} fits ${maxWidth}x${maxHeight}`,
    );
    assert.ok(
      info.width % 2 === 0 && info.height % 2 === 0,
      `${info.width}x${info.height} has even dimensions`,
    );
    assert.ok(info.width >= maxWidth - 2 || info.height >= maxHeight - 2, 'uses the room it has');
    const aspect = primary.width / primary.height;
    assert.ok(
      Math.abs(info.width / info.height - aspect) <= (2 / info.height) * aspect + 0.01,
      `${info.width}x${info.height} keeps the aspect of ${primary.width}x${primary.height}`,
    );
  });

  define('never upscaled', async (backend) => {
    const primary = await primaryOf(backend);
    const run = await begin(
      backend,
      baseSettings({ maxWidth: primary.width * 2, maxHeight: primary.height * 2 }),
    );
    await sleep(1200);
    await run.session.stop();
    const segment = run.segments.find((s) => s.monitorId === primary.id);
    assert.ok(segment, 'a segment of the primary monitor');
    const info = await checkSegment(run, segment);
    assert.ok(
      Math.abs(info.width - primary.width) <= 1 && Math.abs(info.height - primary.height) <= 1,
      `${info.width}x${info.height} is the monitor's own ${primary.width}x${primary.height}`,
    );
  });

  define('max recording duration ends the capture', async (backend) => {
    const seconds = segmentSeconds + 1;
    const run = await begin(backend, baseSettings({ maxRecordingSeconds: seconds }));
    const end = await Promise.race([
      run.session.ended,
      sleep(seconds * 1000 + 15000).then(
        (): CaptureEnd => ({ reason: 'failed', error: 'did not end by itself' }),
      ),
    ]);
    if (end.error === 'did not end by itself') await run.session.stop();
    assert.equal(end.reason, 'stopped', `ends by itself as stopped (error: ${end.error})`);
    let total = 0;
    for (const segment of run.segments) total += (await checkSegment(run, segment)).durationMs;
    assert.ok(total <= seconds * 1000 + tolerance(5), `recorded ${total} ms, limit ${seconds * 1000}`);
    const shortest = seconds * 1000 - run.segments.length * tolerance(5);
    assert.ok(total >= shortest, `recorded ${total} ms, close to the limit of ${seconds * 1000}`);
  });

  define(
    'killed capture leaves playable files',
    async (backend) => {
      const run = await begin(backend, baseSettings());
      // Waits for the first closed segment (a loaded machine starts ffmpeg slowly), then kills mid-way
      // through the next one.
      for (let waited = 0; run.segments.length === 0 && waited < 120_000; waited += 100) await sleep(100);
      await sleep(segmentSeconds * 500 + 500);
      options.kill!(run.session);
      const end = await run.session.ended;
      assert.equal(end.reason, 'failed', 'a killed encoder is a failure');
      assert.ok(end.error, 'the failure has an error message');
      assert.ok(run.segments.length >= 2, `the closed and the partial segment, got ${run.segments.length}`);
      byMonitor(run.segments);
      for (const segment of run.segments) await checkSegment(run, segment);
    },
    options.kill ? undefined : 'no kill() hook given',
  );

  define('first index continues a capture', async (backend) => {
    const run = await begin(backend, baseSettings(), 5);
    await sleep(segmentSeconds * 1500 + 500);
    await run.session.stop();
    const primary = await primaryOf(backend);
    const indexes = run.segments.filter((s) => s.monitorId === primary.id).map((s) => s.index);
    assert.ok(indexes.length >= 2, `at least 2 segments, got ${indexes.length}`);
    assert.deepEqual(
      indexes,
      indexes.map((_, i) => 5 + i),
      'indexes are 5, 6, 7... in order',
    );
  });

  define(
    'recover finds the files of a killed capture under the same identity',
    async (backend) => {
      assert.ok(
        backend.recover,
        'recover() is missing: a backend that cannot recover a killed capture names this test in `skip`, with why',
      );
      const run = await begin(backend, baseSettings());
      for (let waited = 0; run.segments.length === 0 && waited < 120_000; waited += 100) await sleep(100);
      await sleep(segmentSeconds * 500);
      options.kill!(run.session);
      await run.session.ended;
      const reported = new Set(run.segments.map((s) => path.basename(s.path)));
      const request = { captureId: run.session.captureId, outputDir: run.outputDir };
      const nothingNew = await backend.recover!({ ...request, known: reported });
      assert.deepEqual(nothingNew.segments, [], 'files already reported are not reported again');
      const all = await backend.recover!({ ...request, known: new Set() });
      const key = (s: CapturedSegment) => `${s.monitorId}#${s.index}#${s.sha256}#${s.path}`;
      assert.deepEqual(
        all.segments.map(key).sort(),
        run.segments.map(key).sort(),
        'each file is recovered with the monitor, index and checksum it was reported with',
      );
    },
    !options.kill ? 'no kill() hook given' : undefined,
  );

  define('primary monitor only', async (backend) => {
    const primary = await primaryOf(backend);
    const run = await begin(backend, baseSettings({ multiMonitor: 'primary' }));
    await sleep(1200);
    await run.session.stop();
    assert.deepEqual(
      [...byMonitor(run.segments).keys()],
      [primary.id],
      'only the primary monitor is recorded',
    );
  });

  // Without the capability, `all` must still record: the primary monitor alone.
  define('all monitors', async (backend) => {
    const monitors = await backend.probeMonitors();
    const expected = backend.capabilities.multiMonitor ? monitors : monitors.filter((m) => m.primary);
    if (backend.capabilities.multiMonitor) {
      assert.ok(monitors.length >= 2, 'multiMonitor is declared: give the test setup two monitors');
    }
    const run = await begin(backend, baseSettings({ multiMonitor: 'all' }));
    await sleep(1500);
    const end = await run.session.stop();
    assert.equal(end.reason, 'stopped', `stop reason (error: ${end.error})`);
    const recorded = byMonitor(run.segments);
    assert.deepEqual([...recorded.keys()].sort(), expected.map((m) => m.id).sort(), 'one video per monitor');
    for (const m of expected) {
      const info = await checkSegment(run, recorded.get(m.id)![0]!);
      assert.ok(
        Math.abs(info.width - m.width) <= 1 && Math.abs(info.height - m.height) <= 1,
        `monitor ${m.id}: ${info.width}x${info.height}, expected ${m.width}x${m.height}`,
      );
    }
  });

  kit.run();
}
