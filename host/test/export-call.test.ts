import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import ffmpeg from '@ffmpeg-installer/ffmpeg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { planExport } from '../src/export/export-plan.js';
import { databaseKinds, tempDir } from './db-harness.js';
import { until } from './support/e2e-host.js';
import { firstSound, probeMedia } from './support/media-probe.js';
import { type PortalHost, startPortalHost } from './support/portal-host.js';
import { makeAudio, seedCall } from './support/portal-media.js';

const run = promisify(execFile);

/** A small H.264 MP4 of `seconds` from ffmpeg's test source, as a capture segment would be. */
async function makeSegment(dir: string, seconds: number, size = '320x180'): Promise<string> {
  const file = join(dir, `seg-${randomUUID()}.mp4`);
  await run(ffmpeg.path, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${size}:rate=5:duration=${seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    'frag_keyframe+empty_moov',
    file,
  ]);
  return file;
}

/** ffmpeg processes that are children of this test process (the host runs in it). */
async function ffmpegChildren(): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match && match[1] === 'ffmpeg' && Number(match[2]) === process.pid) found.push(Number(entry));
  }
  return found;
}

// The timeline arithmetic alone.
{
  const plan = suite('export plan: segments on the call’s wall-clock timeline');
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s));
  const seg = (id: string, start: number, seconds: number, monitor = '0', state = 'stored') => ({
    id,
    monitor_id: monitor,
    started_at: at(start),
    duration_ms: seconds * 1000,
    state,
    storage_key: `k/${id}`,
    storage_target_id: 't1',
  });
  const call = { started_at: at(2), ended_at: at(14), audio_key: 'a.wav', audio_target_id: 't1' };
  plan('gaps stay gaps, lead and tail are kept, audio starts with the call', () => {
    const result = planExport({ call, segments: [seg('b', 6, 4), seg('a', 0, 4)], now: at(60) });
    assert.ok(result.ok);
    if (!result.ok) return;
    assert.is(result.plan.totalSeconds, 14);
    assert.equal(result.plan.audio, { key: 'a.wav', targetId: 't1', offsetSeconds: 2 });
    const [lane] = result.plan.lanes;
    assert.is(lane!.leadSeconds, 0);
    assert.is(lane!.tailSeconds, 4);
    assert.equal(
      lane!.segments.map((s) => [s.id, s.seconds, s.outpoint]),
      [
        ['a', 6, undefined],
        ['b', 4, undefined],
      ],
    );
  });
  plan('an overlapping segment is cut where the next starts; failed ones are left out', () => {
    const result = planExport({
      call,
      segments: [seg('a', 2, 5), seg('b', 5, 3), seg('x', 9, 3, '0', 'failed'), seg('m', 4, 2, '1')],
      now: at(60),
    });
    assert.ok(result.ok);
    if (!result.ok) return;
    assert.equal(
      result.plan.lanes.map((l) => [
        l.monitor,
        l.leadSeconds,
        l.segments.map((s) => [s.seconds, s.outpoint]),
      ]),
      [
        [
          '0',
          0,
          [
            [3, 3],
            [3, undefined],
          ],
        ],
        ['1', 2, [[2, undefined]]],
      ],
    );
  });
  plan('an unknown monitor names the ones there are; nothing stored is its own answer', () => {
    assert.equal(planExport({ call, segments: [seg('a', 2, 5)], monitor: '3', now: at(60) }), {
      ok: false,
      reason: 'unknown-monitor',
      monitors: ['0'],
    });
    assert.equal(planExport({ call, segments: [seg('a', 2, 5, '0', 'uploading')], now: at(60) }), {
      ok: false,
      reason: 'nothing-stored',
    });
  });
  plan.run();
}

for (const kind of await databaseKinds()) {
  interface Ctx {
    p: PortalHost;
    admin: string;
    dir: { path: string; remove(): Promise<void> };
    seg4: string;
    audio: string;
  }
  const test = suite<Ctx>(`export (${kind}): one MP4 per call, streamed from ffmpeg`);

  test.before(async (ctx) => {
    ctx.p = await startPortalHost(kind);
    ctx.admin = await ctx.p.signIn();
    ctx.dir = await tempDir('deskrec-export-');
    ctx.seg4 = await makeSegment(ctx.dir.path, 4);
    ctx.audio = await makeAudio(ctx.dir.path, 12);
  });
  test.after(async (ctx) => {
    await ctx.p.stop();
    await ctx.dir.remove();
  });

  const download = async (c: Ctx, path: string, cookie = c.admin) => {
    const res = await c.p.fetch(path, { cookie });
    assert.is(res.status, 200, `${path}: ${res.status}`);
    const file = join(c.dir.path, `out-${randomUUID()}.mp4`);
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(file));
    return { res, file };
  };

  test('two segments with a gap: the call’s span, one video and one audio stream, audio in sync', async (c) => {
    // The capture starts 2 s before the call (the audio's start); a 2 s gap; the call ends 2 s after it.
    const call = await seedCall(
      c.p,
      {
        audio: c.audio,
        segments: [
          { file: c.seg4, offsetMs: -2000, durationMs: 4000 },
          { file: c.seg4, offsetMs: 4000, durationMs: 4000 },
        ],
      },
      { callSeconds: 10 },
    );
    const { res, file } = await download(c, `/api/calls/${call.callId}/export`);
    assert.is(res.headers.get('content-type'), 'video/mp4');
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="call-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-ext-[0-9a-f]{8}\.mp4"$/,
    );
    const media = await probeMedia(file);
    assert.is(media.videoStreams, 1);
    assert.is(media.audioStreams, 1);
    assert.equal([media.width, media.height], [320, 180]);
    assert.ok(Math.abs(media.videoSeconds - 12) < 0.5, `video lasts ${media.videoSeconds} s, not 12`);
    const sound = await firstSound(file);
    assert.ok(Math.abs(sound - 2) < 0.3, `the audio starts at ${sound} s, not 2`);
    const rows = await c.p.t.host
      .services()
      .database.db.selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'recording.export')
      .where('target_id', '=', call.callId)
      .execute();
    assert.is(rows.length, 1);
    assert.equal(rows[0]!.detail, {
      media: 'export',
      monitors: ['0'],
      audio: true,
      userAgent: rows[0]!.detail.userAgent,
    });
    assert.is(rows[0]!.ip, '127.0.0.1');
  });

  test('two monitors side by side by default (width doubled), or one chosen', async (c) => {
    const call = await seedCall(
      c.p,
      {
        audio: null,
        segments: [
          { file: c.seg4, offsetMs: 0, durationMs: 4000, monitor: '0' },
          { file: c.seg4, offsetMs: 0, durationMs: 4000, monitor: '1' },
        ],
      },
      { callSeconds: 4 },
    );
    const page = await (await c.p.fetch(`/calls/${call.callId}`, { cookie: c.admin })).text();
    assert.match(page, `href="/api/calls/${call.callId}/export" download`);
    assert.match(page, 'Download call');
    assert.match(page, `href="/api/calls/${call.callId}/export?monitor=1" download`);
    const both = await probeMedia((await download(c, `/api/calls/${call.callId}/export`)).file);
    assert.equal([both.width, both.height, both.audioStreams], [640, 180, 0]);
    const one = await download(c, `/api/calls/${call.callId}/export?monitor=1`);
    assert.match(one.res.headers.get('content-disposition') ?? '', /-monitor-1\.mp4"$/);
    const probed = await probeMedia(one.file);
    assert.equal([probed.width, probed.height], [320, 180]);
    for (const monitor of ['7', '../0']) {
      const res = await c.p.fetch(`/api/calls/${call.callId}/export?monitor=${encodeURIComponent(monitor)}`, {
        cookie: c.admin,
      });
      assert.is(res.status, 400, monitor);
      const body = (await res.json()) as { error: { field: string; message: string } };
      assert.is(body.error.field, 'query.monitor');
      assert.match(body.error.message, /^query\.monitor: /);
    }
  });

  test('a client that stops the download leaves no ffmpeg behind', async (c) => {
    // Two hours of timeline: ffmpeg is still encoding when the client goes.
    const call = await seedCall(
      c.p,
      { audio: null, segments: [{ file: c.seg4, offsetMs: 0, durationMs: 4000 }] },
      { callSeconds: 7200 },
    );
    const abort = new AbortController();
    const res = await c.p.fetch(`/api/calls/${call.callId}/export`, {
      cookie: c.admin,
      signal: abort.signal,
    });
    assert.is(res.status, 200);
    const reader = res.body!.getReader();
    assert.ok((await reader.read()).value?.length);
    assert.is((await ffmpegChildren()).length, 1, 'ffmpeg runs while the download does');
    abort.abort();
    await until('ffmpeg to be gone', async () => (await ffmpegChildren()).length === 0, 10_000, 50);
  });

  test('a third export while two run is refused with 503 and Retry-After', async (c) => {
    const call = await seedCall(
      c.p,
      { audio: null, segments: [{ file: c.seg4, offsetMs: 0, durationMs: 4000 }] },
      { callSeconds: 7200 },
    );
    const abort = new AbortController();
    const path = `/api/calls/${call.callId}/export`;
    // Unread, the first two stay running: ffmpeg waits on the full pipe.
    const running = await Promise.all(
      [1, 2].map(() => c.p.fetch(path, { cookie: c.admin, signal: abort.signal })),
    );
    assert.equal(
      running.map((r) => r.status),
      [200, 200],
    );
    const third = await c.p.fetch(path, { cookie: c.admin });
    assert.is(third.status, 503);
    assert.is(third.headers.get('retry-after'), '30');
    await third.arrayBuffer();
    abort.abort();
    await until(
      'both ffmpeg processes to be gone',
      async () => (await ffmpegChildren()).length === 0,
      10_000,
      50,
    );
    const again = await c.p.fetch(path, { cookie: c.admin, signal: AbortSignal.timeout(60_000) });
    assert.is(again.status, 200, 'the slots are free again');
    await again.body!.cancel();
    await until('its ffmpeg to be gone', async () => (await ffmpegChildren()).length === 0, 10_000, 50);
  });

  test('unknown call 404, nothing stored 409, no session 401, another tenant 404', async (c) => {
    const stored = await seedCall(
      c.p,
      { audio: null, segments: [{ file: c.seg4, offsetMs: 0, durationMs: 4000 }] },
      { callSeconds: 4 },
    );
    const pending = await seedCall(
      c.p,
      { audio: null, segments: [{ file: c.seg4, offsetMs: 0, durationMs: 4000, stored: false }] },
      { callSeconds: 4 },
    );
    const garbage = join(c.dir.path, 'garbage.mp4');
    await writeFile(garbage, randomBytes(50_000));
    const broken = await seedCall(
      c.p,
      { audio: null, segments: [{ file: garbage, offsetMs: 0, durationMs: 4000 }] },
      { callSeconds: 4 },
    );
    const failed = await c.p.fetch(`/api/calls/${broken.callId}/export`, { cookie: c.admin });
    assert.is(failed.status, 502, 'a file ffmpeg cannot read is an error answer, not a broken download');
    assert.match(((await failed.json()) as { error: { code: string } }).error.code, 'export-failed');
    const unknown = await c.p.fetch(`/api/calls/${randomUUID()}/export`, { cookie: c.admin });
    assert.is(unknown.status, 404);
    const waiting = await c.p.fetch(`/api/calls/${pending.callId}/export`, { cookie: c.admin });
    assert.is(waiting.status, 409);
    assert.match(((await waiting.json()) as { error: { message: string } }).error.message, /stored yet/);
    assert.is((await c.p.fetch(`/api/calls/${stored.callId}/export`)).status, 401);

    const { repos } = c.p.t.host.services();
    const { tenant } = await repos.tenants.create({ slug: `other-${kind}`, name: 'Other' });
    await repos.adminUsers.create(tenant.id, {
      username: 'admin',
      password: 'other-tenant-password',
      role: 'admin',
    });
    const login = await c.p.fetch('/login', {
      method: 'POST',
      body: new URLSearchParams({
        username: 'admin',
        password: 'other-tenant-password',
        tenant: `other-${kind}`,
      }),
    });
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    assert.is((await c.p.fetch(`/api/calls/${stored.callId}/export`, { cookie })).status, 404);
  });

  test.run();
}
