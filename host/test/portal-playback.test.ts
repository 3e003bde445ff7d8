import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'kysely';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseRange } from '../src/playback/range.js';
import { tempDir } from './db-harness.js';
import { type PortalHost, startPortalHost } from './support/portal-host.js';
import { type SeededCall, seedCall } from './support/portal-media.js';

interface Ctx {
  p: PortalHost;
  admin: string;
  call: SeededCall;
  audio: Buffer;
  video: Buffer;
  dir: { path: string; remove(): Promise<void> };
}

const test = suite<Ctx>('playback: ranged streaming from the storage target, audited first');

test.before(async (ctx) => {
  ctx.p = await startPortalHost('embedded');
  ctx.admin = await ctx.p.signIn();
  ctx.dir = await tempDir('deskrec-playback-');
  ctx.audio = randomBytes(300_000);
  ctx.video = randomBytes(700_001);
  await writeFile(join(ctx.dir.path, 'a.m4a'), ctx.audio);
  await writeFile(join(ctx.dir.path, 'v.mp4'), ctx.video);
  ctx.call = await seedCall(
    ctx.p,
    {
      audio: join(ctx.dir.path, 'a.m4a'),
      segments: [
        { file: join(ctx.dir.path, 'v.mp4'), offsetMs: 0, durationMs: 5000 },
        { file: join(ctx.dir.path, 'v.mp4'), offsetMs: 5000, durationMs: 5000, stored: false },
      ],
    },
    { callSeconds: 10 },
  );
});
test.after(async (ctx) => {
  await ctx.p.stop();
  await ctx.dir.remove();
});

const audioPath = (c: Ctx) => `/media/calls/${c.call.callId}/audio`;
const videoPath = (c: Ctx, i = 0) => `/media/calls/${c.call.callId}/segments/${c.call.segmentIds[i]}`;

async function auditRows(c: Ctx, action = 'recording.play') {
  return c.p.t.host
    .services()
    .database.db.selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .where('target_id', '=', c.call.callId)
    .orderBy('id')
    .execute();
}

test('parseRange: forms of the header', () => {
  assert.equal(parseRange(undefined), { kind: 'whole' });
  assert.equal(parseRange('bytes=0-99'), { kind: 'from', start: 0, end: 99 });
  assert.equal(parseRange('bytes=100-'), { kind: 'from', start: 100 });
  assert.equal(parseRange('bytes=-500'), { kind: 'suffix', length: 500 });
  assert.equal(parseRange('bytes=0-1,5-9'), { kind: 'whole' });
  assert.equal(parseRange('items=0-1'), { kind: 'whole' });
  assert.equal(parseRange('bytes=9-3'), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=-0'), { kind: 'unsatisfiable' });
  assert.equal(parseRange('bytes=abc'), { kind: 'unsatisfiable' });
});

test('a byte range answers 206 with Content-Range and exactly those bytes', async (c) => {
  const res = await c.p.fetch(videoPath(c), { cookie: c.admin, headers: { range: 'bytes=1000-1999' } });
  assert.is(res.status, 206);
  assert.is(res.headers.get('content-range'), `bytes 1000-1999/${c.video.length}`);
  assert.is(res.headers.get('accept-ranges'), 'bytes');
  assert.is(res.headers.get('content-length'), '1000');
  assert.is(res.headers.get('content-type'), 'video/mp4');
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(c.video.subarray(1000, 2000)));
});

test('open-ended and suffix ranges; an end past the file is clamped', async (c) => {
  const tail = await c.p.fetch(audioPath(c), { cookie: c.admin, headers: { range: 'bytes=299000-' } });
  assert.is(tail.status, 206);
  assert.is(tail.headers.get('content-range'), `bytes 299000-299999/300000`);
  assert.ok(Buffer.from(await tail.arrayBuffer()).equals(c.audio.subarray(299_000)));
  const suffix = await c.p.fetch(audioPath(c), { cookie: c.admin, headers: { range: 'bytes=-10' } });
  assert.is(suffix.status, 206);
  assert.is(suffix.headers.get('content-range'), 'bytes 299990-299999/300000');
  assert.ok(Buffer.from(await suffix.arrayBuffer()).equals(c.audio.subarray(-10)));
  const clamped = await c.p.fetch(audioPath(c), {
    cookie: c.admin,
    headers: { range: 'bytes=299998-999999' },
  });
  assert.is(clamped.headers.get('content-range'), 'bytes 299998-299999/300000');
  assert.is((await clamped.arrayBuffer()).byteLength, 2);
  assert.is(clamped.headers.get('content-type'), 'audio/mp4');
});

test('no Range: 200 with the whole file, streamed, and Accept-Ranges', async (c) => {
  const res = await c.p.fetch(audioPath(c), { cookie: c.admin });
  assert.is(res.status, 200);
  assert.is(res.headers.get('accept-ranges'), 'bytes');
  assert.is(res.headers.get('content-range'), null);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(c.audio));
});

test('a range outside the file or backwards is 416 with the size', async (c) => {
  for (const range of [`bytes=${c.audio.length}-`, 'bytes=5-2']) {
    const res = await c.p.fetch(audioPath(c), { cookie: c.admin, headers: { range } });
    assert.is(res.status, 416, range);
    assert.is(res.headers.get('content-range'), `bytes */${c.audio.length}`, range);
  }
});

test('each playback writes an audit row before the first byte: who, what, when, from where', async (c) => {
  const before = (await auditRows(c)).length;
  const res = await c.p.fetch(videoPath(c), { cookie: c.admin, headers: { range: 'bytes=0-99' } });
  // Headers are here, the body is not read yet: the row must exist already.
  assert.is(res.status, 206);
  const rows = await auditRows(c);
  assert.is(rows.length, before + 1);
  const row = rows.at(-1)!;
  const admin = (await c.p.t.host.services().repos.adminUsers.list(c.p.tenantId)).find(
    (u) => u.username === 'admin',
  )!;
  assert.is(row.actor_user_id, admin.id);
  assert.is(row.target_type, 'call');
  assert.is(row.ip, '127.0.0.1');
  assert.equal(row.detail, {
    media: 'screen',
    segmentId: c.call.segmentIds[0],
    range: 'bytes=0-99',
    userAgent: row.detail.userAgent,
  });
  assert.ok(Date.now() - new Date(row.at).getTime() < 60_000);
  await res.arrayBuffer();
  // Seeking within the same playback does not add a row per range request.
  await (
    await c.p.fetch(videoPath(c), { cookie: c.admin, headers: { range: 'bytes=5000-5999' } })
  ).arrayBuffer();
  assert.is((await auditRows(c)).length, before + 1);
});

test('when the audit row cannot be written, nothing is served', async (c) => {
  const { db } = c.p.t.host.services().database;
  await sql`alter table audit_log rename to audit_log_away`.execute(db);
  try {
    const res = await c.p.fetch(audioPath(c), { cookie: c.admin, headers: { range: 'bytes=0-9' } });
    assert.is(res.status, 500);
    assert.ok(!Buffer.from(await res.arrayBuffer()).includes(c.audio.subarray(0, 10)));
  } finally {
    await sql`alter table audit_log_away rename to audit_log`.execute(db);
  }
});

test('downloads are attachments and audited as downloads', async (c) => {
  const res = await c.p.fetch(`${audioPath(c)}?download=1`, { cookie: c.admin });
  assert.is(res.status, 200);
  assert.match(
    res.headers.get('content-disposition') ?? '',
    /^attachment; filename="call-[0-9a-f-]+-audio\.m4a"$/,
  );
  await res.arrayBuffer();
  const rows = await auditRows(c, 'recording.download');
  assert.is(rows.length, 1);
  assert.is(rows[0]!.detail.media, 'audio');
});

test('without a session 401; a segment not yet stored or of another call 404', async (c) => {
  assert.is((await c.p.fetch(audioPath(c))).status, 401);
  assert.is((await c.p.fetch(videoPath(c, 1), { cookie: c.admin })).status, 404);
  const other = await seedCall(c.p, { audio: null, segments: [] }, { callSeconds: 1 });
  const crossed = await c.p.fetch(`/media/calls/${other.callId}/segments/${c.call.segmentIds[0]}`, {
    cookie: c.admin,
  });
  assert.is(crossed.status, 404);
  assert.is((await c.p.fetch(`/media/calls/${other.callId}/audio`, { cookie: c.admin })).status, 404);
});

test('another tenant’s session gets 404 for this tenant’s media', async (c) => {
  const { repos } = c.p.t.host.services();
  const { tenant } = await repos.tenants.create({ slug: 'tenant-b', name: 'B' });
  await repos.adminUsers.create(tenant.id, {
    username: 'admin',
    password: 'tenant-b-password',
    role: 'admin',
  });
  const res = await c.p.fetch('/login', {
    method: 'POST',
    body: new URLSearchParams({ username: 'admin', password: 'tenant-b-password', tenant: 'tenant-b' }),
  });
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  for (const path of [audioPath(c), videoPath(c)]) {
    const r = await c.p.fetch(path, { cookie, headers: { range: 'bytes=0-9' } });
    assert.is(r.status, 404, path);
  }
});

test.run();
