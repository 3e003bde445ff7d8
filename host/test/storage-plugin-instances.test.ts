import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import { type E2eHost, startE2eHost, until } from './support/e2e-host.js';
import { type PluginPackage, writeStoragePackage } from './support/plugin-packages.js';
import { seedUploadGrant, tusUploadBuffer } from './support/uploads-fixtures.js';

// Third-party packages as npm installs them: a scoped one under its derived id, and one that cannot read
// ranges under an id of its own; a built-in under an id of its own too.
const SCOPED = '@acme-deskrec-test/deskrec-storage-memory';
const STREAM_ONLY = '@acme-deskrec-test/deskrec-storage-stream-only';

let h: E2eHost;
let packages: PluginPackage[] = [];
let cookie = '';
let segments = 0;

test.before(async () => {
  packages = [
    await writeStoragePackage(SCOPED, { rangeRead: true, conditionalCreate: true }),
    await writeStoragePackage(STREAM_ONLY, { rangeRead: false, conditionalCreate: false }),
  ];
  h = await startE2eHost(
    [],
    undefined,
    `[{ use: local, id: archive }, { use: '${SCOPED}' }, { use: '${STREAM_ONLY}', id: stream }]`,
  );
  const { username, password } = h.started.firstStart!;
  const res = await fetch(`${h.started.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: h.started.url },
    body: new URLSearchParams({ username, password, next: '/calls' }),
  });
  assert.equal(res.status, 303);
  cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('deskrec_session='))!
    .split(';')[0]!;
});

test.after(async () => {
  await h?.stop();
  await fs.rm(h.dataDir, { recursive: true, force: true });
  for (const p of packages) await p.remove();
});

const db = () => h.host.services().database.db;

/** Creates a target of `kind`, tests it, makes it the tenant's, uploads one segment and waits for its store job. */
async function storeThrough(kind: string, options: Record<string, unknown>, body: Buffer) {
  const created = await h.api('POST', '/api/storage-targets', { name: `T-${kind}`, kind, options });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const check = await h.api('POST', `/api/storage-targets/${created.body.id}/test`);
  assert.equal(check.body.ok, true, check.body.message);
  const settings = await h.api('GET', '/api/settings');
  const put = await h.api('PUT', '/api/settings', { ...settings.body, storageTargetId: created.body.id });
  assert.equal(put.status, 200, JSON.stringify(put.body));

  const name = `inst-${++segments}`;
  const grant = await seedUploadGrant(db(), h.tenantId, { name });
  assert.equal(await tusUploadBuffer(h.started.url, grant, 0, body), 201);
  const row = await until(`the ${kind} store job`, async () => {
    const found = await db()
      .selectFrom('segments')
      .selectAll()
      .where('recording_id', '=', grant.recordingId)
      .executeTakeFirst();
    if (found?.error) throw new Error(`store job failed: ${found.error}`);
    return found?.state === 'stored' && found;
  });
  assert.equal(row.storage_target_id, created.body.id);
  const callId = randomUUID();
  await db()
    .insertInto('calls')
    .values({
      id: callId,
      tenant_id: h.tenantId,
      source_id: 'crm',
      external_call_id: `ext-${name}`,
      direction: 'inbound',
      from_number: '2815550147',
      from_name: null,
      to_number: '300',
      to_name: null,
      started_at: new Date(),
      ended_at: new Date(),
      user_id: null,
      extension: '300',
      state: 'ended',
      no_recording_reason: null,
      audio_key: null,
      audio_target_id: null,
    })
    .execute();
  await db()
    .insertInto('call_recordings')
    .values({ tenant_id: h.tenantId, call_id: callId, recording_id: grant.recordingId })
    .execute();
  return { key: row.storage_key!, media: `/media/calls/${callId}/segments/${row.id}` };
}

const play = (media: string, range?: string) =>
  fetch(`${h.started.url}${media}`, { headers: { cookie, ...(range ? { range } : {}) } });

test('a scoped third-party package stores segments and plays them back', async () => {
  const body = randomBytes(256 * 1024 + 7);
  const { key, media } = await storeThrough('deskrec-storage-memory', { bucket: 'scoped' }, body);
  const plugin = (await import(SCOPED)) as { bucket(name: string): { stat(k: string): Promise<unknown> } };
  assert.ok(await plugin.bucket('scoped').stat(key), 'the object is in the plugin’s own store');
  const whole = await play(media);
  assert.equal(whole.status, 200);
  assert.ok(Buffer.from(await whole.arrayBuffer()).equals(body));
  const part = await play(media, 'bytes=100-199');
  assert.equal(part.status, 206);
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(body.subarray(100, 200)));
});

test('a built-in under its own id ({ use: local, id: archive }) stores and plays back', async () => {
  const body = randomBytes(128 * 1024);
  const root = path.join(h.dataDir, 'archive');
  const { key, media } = await storeThrough('archive', { root }, body);
  assert.ok((await fs.readFile(path.join(root, key))).equals(body));
  const res = await play(media, 'bytes=-10');
  assert.equal(res.status, 206);
  assert.ok(Buffer.from(await res.arrayBuffer()).equals(body.subarray(-10)));
});

test('a target without rangeRead serves ranges cut from a streamed full read', async () => {
  const body = randomBytes(700_001);
  const { media } = await storeThrough('stream', { bucket: 'stream-only' }, body);
  const cases: [string, number, number][] = [
    ['bytes=0-', 0, body.length - 1],
    ['bytes=300000-300999', 300_000, 300_999],
    ['bytes=-4096', body.length - 4096, body.length - 1],
    ['bytes=700000-999999', 700_000, 700_000],
  ];
  for (const [range, start, end] of cases) {
    const res = await play(media, range);
    assert.equal(res.status, 206, range);
    assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${body.length}`, range);
    assert.equal(res.headers.get('content-length'), String(end - start + 1), range);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(body.subarray(start, end + 1)), range);
  }
  const outside = await play(media, `bytes=${body.length}-`);
  assert.equal(outside.status, 416);
  assert.equal(outside.headers.get('content-range'), `bytes */${body.length}`);
});

test('a kind that plugins.storage no longer offers fails the job with a message naming it', async () => {
  const created = await h.api('POST', '/api/storage-targets', {
    name: 'Gone',
    kind: 'archive',
    options: { root: path.join(h.dataDir, 'gone') },
  });
  assert.equal(created.status, 201);
  await db()
    .updateTable('storage_targets')
    .set({ kind: 'webdav' })
    .where('id', '=', created.body.id)
    .execute();
  const check = await h.api('POST', `/api/storage-targets/${created.body.id}/test`);
  assert.notEqual(check.status, 500);
  const resolver = h.host.runtime().targets;
  await assert.rejects(resolver.byId(h.tenantId, created.body.id), /storage kind "webdav".*no longer offers/);
});

test.run();
