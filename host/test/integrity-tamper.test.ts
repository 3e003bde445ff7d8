import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import { LocalS3 } from '../../plugins/storage-s3/test/s3rver-server.js';
import { startSftpServer, type TestSftpServer } from '../../plugins/storage-sftp/test/support/sftp-server.js';
import { runVerifyCli, verifyRecordings } from '../src/cli/verify.js';
import { parseManifestFile } from '../src/integrity/manifest.js';
import type { Finding } from '../src/integrity/verify-tenant.js';
import { type E2eHost, startE2eHost, until } from './support/e2e-host.js';
import { seedUploadGrant, tusUploadBuffer } from './support/uploads-fixtures.js';

let h: E2eHost;
let s3: LocalS3;
let sftp: TestSftpServer;
let sftpBase = '';
let cookie = '';
let recordings = 0;

/** A call id as long as a PBX may send (256 characters): in the file name format, the key must be shortened. */
const longCallId = (n: number) => `${'c'.repeat(250)}${String(n).padStart(6, '0')}`;

test.before(async () => {
  h = await startE2eHost();
  s3 = await LocalS3.start();
  await s3.createBucket('tamper');
  sftpBase = path.join(h.dataDir, 'sftp-server');
  await fs.mkdir(path.join(sftpBase, 'recordings'), { recursive: true });
  sftp = await startSftpServer({ base: sftpBase, username: 'rec', password: 'sftp-password' });
  const { username, password } = h.started.firstStart!;
  const res = await fetch(`${h.started.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: h.started.url },
    body: new URLSearchParams({ username, password, next: '/calls' }),
  });
  cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('deskrec_session='))!
    .split(';')[0]!;
  const settings = await h.api('GET', '/api/settings');
  const put = await h.api('PUT', '/api/settings', {
    ...settings.body,
    fileNameFormat: '%{start-time#%Y%m%d}/%{call-id}-%{recording-id}.mp4',
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));
});

test.after(async () => {
  await h?.stop();
  await s3?.stop();
  await sftp?.close();
  await fs.rm(h.dataDir, { recursive: true, force: true });
});

const db = () => h.host.services().database.db;
const repos = () => h.host.services().repos;

interface Recorded {
  externalCallId: string;
  recordingId: string;
  segmentId: string;
  callId: string;
  targetId: string;
  key: string;
  body: Buffer;
  media: string;
}

/** Makes a target of `kind` the tenant's, records one call with the long call id on it and waits for the seal. */
async function recordOn(kind: string, options: Record<string, unknown>): Promise<Recorded> {
  const created = await h.api('POST', '/api/storage-targets', {
    name: `T-${kind}-${recordings}`,
    kind,
    options,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const settings = await h.api('GET', '/api/settings');
  await h.api('PUT', '/api/settings', { ...settings.body, storageTargetId: created.body.id });

  const grant = await seedUploadGrant(db(), h.tenantId, { name: `tamper-${++recordings}` });
  const externalCallId = longCallId(recordings);
  const callId = randomUUID();
  await db()
    .insertInto('calls')
    .values({
      id: callId,
      tenant_id: h.tenantId,
      source_id: 'crm',
      external_call_id: externalCallId,
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
  // The capture has ended: the stored segment completes the recording, which seals it.
  await db()
    .updateTable('recordings')
    .set({ state: 'uploading', ended_at: new Date() })
    .where('id', '=', grant.recordingId)
    .execute();
  const body = randomBytes(300_000);
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
  await until('the recording to be sealed', () => repos().manifests.get(h.tenantId, grant.recordingId));
  return {
    externalCallId,
    recordingId: grant.recordingId,
    segmentId: row.id,
    callId,
    targetId: created.body.id,
    key: row.storage_key!,
    body,
    media: `/media/calls/${callId}/segments/${row.id}`,
  };
}

const play = (media: string, range?: string) =>
  fetch(`${h.started.url}${media}`, { headers: { cookie, ...(range ? { range } : {}) } });

async function findingsFor(recordingId: string): Promise<Finding[]> {
  const [report] = await verifyRecordings(h.host.config, db(), { tenant: 'default' });
  return report!.findings.filter((f) => f.recordingId === recordingId);
}

function assertShortened(r: Recorded) {
  const names = r.key.split('/');
  assert.ok(
    names.every((n) => Buffer.byteLength(n) <= 255),
    `every name fits 255 bytes: ${r.key}`,
  );
  assert.match(names.at(-1)!, /^c+~[0-9a-f]{16}\.mp4$/, 'readable start, hash suffix, extension kept');
}

const auditRows = (action: string, callId: string) =>
  db()
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .where('target_id', '=', callId)
    .execute();

/** Flips one byte in the middle: same size, other bytes. */
const tampered = (body: Buffer) => {
  const copy = Buffer.from(body);
  copy[150_000] = copy[150_000]! ^ 0xff;
  return copy;
};

let local: Recorded;
let onSftp: Recorded;
let onS3: Recorded;

test('local: a 256-character call id is stored under a shortened key, sealed, and verifies clean', async () => {
  local = await recordOn('local', { root: path.join(h.dataDir, 'local-target') });
  assertShortened(local);
  const file = path.join(h.dataDir, 'local-target', local.key);
  assert.ok((await fs.readFile(file)).equals(local.body));
  const manifestRow = (await repos().manifests.get(h.tenantId, local.recordingId))!;
  const stored = parseManifestFile(
    await fs.readFile(path.join(h.dataDir, 'local-target', manifestRow.storage_key), 'utf8'),
  );
  assert.ok('file' in stored, JSON.stringify(stored));
  assert.equal(stored.body, manifestRow.body, 'the stored copy is the signed manifest');
  assert.equal(stored.file.manifest.callIds[0], local.externalCallId);
  assert.equal(stored.file.manifest.tenant.slug, 'default');
  assert.deepEqual(
    stored.file.manifest.segments.map((s) => [s.key, s.bytes]),
    [[local.key, local.body.length]],
  );
  assert.deepEqual(await findingsFor(local.recordingId), []);
});

test('local: a changed byte fails the full playback, is audited, then refused; verify reports it', async () => {
  await fs.writeFile(path.join(h.dataDir, 'local-target', local.key), tampered(local.body));
  const res = await play(local.media);
  assert.equal(res.status, 200);
  await assert.rejects(res.arrayBuffer(), 'the changed file never arrives whole');
  const rows = await until('the integrity audit row', async () => {
    const found = await auditRows('recording.integrity-failed', local.callId);
    return found.length > 0 && found;
  });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.detail.segmentId, local.segmentId);
  const again = await play(local.media, 'bytes=0-99');
  assert.equal(again.status, 409);
  assert.equal(again.headers.get('x-deskrec-integrity'), 'changed');
  assert.match(await again.text(), /changed after recording/);
  const findings = await findingsFor(local.recordingId);
  assert.deepEqual(
    findings.map((f) => [f.problem, f.segmentId]),
    [['changed', local.segmentId]],
  );
});

test('sftp: long key stored; a changed byte is caught by the background check of a ranged playback', async () => {
  onSftp = await recordOn('sftp', {
    host: '127.0.0.1',
    port: sftp.port,
    username: 'rec',
    password: 'sftp-password',
    hostKeyFingerprint: sftp.fingerprint,
    root: '/recordings',
  });
  assertShortened(onSftp);
  assert.deepEqual(await findingsFor(onSftp.recordingId), []);
  await fs.writeFile(path.join(sftpBase, 'recordings', onSftp.key), tampered(onSftp.body));
  // Ranges still work: this one is served, and starts a check of the whole file beside it.
  const part = await play(onSftp.media, 'bytes=1000-1999');
  assert.equal(part.status, 206);
  assert.ok(Buffer.from(await part.arrayBuffer()).equals(onSftp.body.subarray(1000, 2000)));
  await until('the background check to flag the segment', async () => {
    const found = await auditRows('recording.integrity-failed', onSftp.callId);
    return found.length > 0;
  });
  const refused = await play(onSftp.media, 'bytes=2000-2999');
  assert.equal(refused.status, 409);
  assert.deepEqual(
    (await findingsFor(onSftp.recordingId)).map((f) => f.problem),
    ['changed'],
  );
});

test('s3: long key stored; an intact one plays whole; a changed manifest copy is detected', async () => {
  onS3 = await recordOn('s3', s3.options('tamper'));
  assertShortened(onS3);
  const whole = await play(onS3.media);
  assert.equal(whole.status, 200);
  assert.ok(Buffer.from(await whole.arrayBuffer()).equals(onS3.body), 'an intact segment plays whole');
  assert.deepEqual(await findingsFor(onS3.recordingId), []);

  const row = (await repos().manifests.get(h.tenantId, onS3.recordingId))!;
  const { target } = await h.host.runtime().targets.byId(h.tenantId, onS3.targetId);
  const copy = JSON.parse(
    await (await target.get(row.storage_key)).body.toArray().then((c) => Buffer.concat(c).toString()),
  );
  copy.manifest.segments[0].sha256 = 'f'.repeat(64);
  const { Readable } = await import('node:stream');
  await target.put(row.storage_key, Readable.from([Buffer.from(JSON.stringify(copy))]));
  assert.deepEqual(
    (await findingsFor(onS3.recordingId)).map((f) => f.problem),
    ['manifest-copy-changed'],
  );
});

test('database tampering: a changed manifest row fails its signature, a changed segment row its manifest', async () => {
  const row = (await repos().manifests.get(h.tenantId, onSftp.recordingId))!;
  await db()
    .updateTable('recording_manifests')
    .set({ body: row.body.replace(onSftp.externalCallId, 'another-call') })
    .where('recording_id', '=', onSftp.recordingId)
    .execute();
  assert.ok((await findingsFor(onSftp.recordingId)).some((f) => f.problem === 'manifest-signature-bad'));
  // Someone "fixing" the recorded hash to match the altered local file: the signed manifest still says otherwise.
  const { createHash } = await import('node:crypto');
  await db()
    .updateTable('segments')
    .set({ sha256: createHash('sha256').update(tampered(local.body)).digest('hex') })
    .where('id', '=', local.segmentId)
    .execute();
  assert.deepEqual((await findingsFor(local.recordingId)).map((f) => f.problem).sort(), [
    'changed',
    'manifest-mismatch',
  ]);
});

test('a manifest signed before a key rotation still verifies', async () => {
  const before = (await repos().manifests.get(h.tenantId, onS3.recordingId))!;
  const newKey = await repos().signingKeys.rotate();
  assert.notEqual(newKey, before.key_id);
  const next = await recordOn('local', { root: path.join(h.dataDir, 'local-after-rotation') });
  assert.equal((await repos().manifests.get(h.tenantId, next.recordingId))!.key_id, newKey);
  assert.deepEqual(await findingsFor(next.recordingId), []);
  // The older one still verifies its signature (only its tampered copy is reported, as before).
  assert.deepEqual(
    (await findingsFor(onS3.recordingId)).map((f) => f.problem),
    ['manifest-copy-changed'],
  );
});

test('s3: a player that asks for bytes=0- and stops reading early still gets the file checked', async () => {
  const { target } = await h.host.runtime().targets.byId(h.tenantId, onS3.targetId);
  const { Readable } = await import('node:stream');
  await target.put(onS3.key, Readable.from([tampered(onS3.body)]));
  const res = await play(onS3.media, 'bytes=0-');
  assert.equal(res.status, 206);
  const reader = res.body!.getReader();
  await reader.read();
  await reader.cancel();
  await until('the check started by the unfinished read to flag the segment', async () => {
    const found = await auditRows('recording.integrity-failed', onS3.callId);
    return found.length > 0;
  });
  assert.equal((await play(onS3.media, 'bytes=0-99')).status, 409);
});

test('deskrec-host verify --json: every problem listed, exit code 1', async () => {
  await h.stop();
  let text = '';
  const code = await runVerifyCli({
    file: path.join(h.dataDir, 'deskrec.yaml'),
    tenant: 'default',
    json: true,
    out: {
      write: (t) => {
        text += t;
      },
    },
  });
  assert.equal(code, 1);
  const { tenants } = JSON.parse(text) as { tenants: { tenant: string; findings: Finding[] }[] };
  const problems = tenants[0]!.findings.map((f) => `${f.problem}:${f.recordingId}`).sort();
  assert.deepEqual(
    problems,
    [
      `changed:${local.recordingId}`,
      `manifest-mismatch:${local.recordingId}`,
      `changed:${onSftp.recordingId}`,
      `manifest-signature-bad:${onSftp.recordingId}`,
      `manifest-copy-changed:${onS3.recordingId}`,
      `changed:${onS3.recordingId}`,
    ].sort(),
  );
  let plain = '';
  assert.equal(
    await runVerifyCli({
      file: path.join(h.dataDir, 'deskrec.yaml'),
      out: {
        write: (t) => {
          plain += t;
        },
      },
    }),
    1,
  );
  assert.match(plain, /FAIL default: changed: recording /);
});

test.run();
