import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { suite } from 'uvu';
import { signUploadToken, type UploadClaims } from '../src/uploads/upload-token.js';
import { databaseKinds } from './db-harness.js';
import { type OrchestratorHost, startOrchestratorHost } from './support/orchestrator-host.js';
import { seedUploadGrant, tusUploadBuffer } from './support/uploads-fixtures.js';

const DAY = 24 * 3_600_000;

for (const kind of await databaseKinds()) {
  const test = suite(`uploads: signed tokens, and captures the database lost (${kind} database)`);
  let h: OrchestratorHost;
  let key: { id: string; secret: Buffer };

  test.before(async () => {
    h = await startOrchestratorHost({ kind });
    const row = await h.db.selectFrom('upload_signing_keys').selectAll().executeTakeFirstOrThrow();
    key = { id: row.id, secret: Buffer.from(row.secret, 'base64url') };
  });
  test.after(async () => {
    await h.stop();
  });

  /** A token as the orchestrator issues with capture.start, for a capture whose rows were never written. */
  async function lostCapture(name: string, overrides: Partial<UploadClaims> = {}) {
    const { workstationId } = await seedUploadGrant(h.db, h.tenantId, { name });
    const now = h.clock.now();
    const claims: UploadClaims = {
      tenantId: h.tenantId,
      workstationId,
      recordingId: randomUUID(),
      captureId: `cap_${randomBytes(12).toString('hex')}`,
      userId: null,
      call: { sourceId: 'crm', externalCallId: `call-${name}` },
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 30 * DAY),
      ...overrides,
    };
    return { claims, token: signUploadToken(key.id, key.secret, claims), recordingId: claims.recordingId };
  }

  async function refusal(token: string, recordingId: string) {
    const response = await fetch(`${h.url}/api/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': '4' },
    });
    return { status: response.status, text: `${recordingId}: ${await response.text()}` };
  }

  /** Segments of a recording by state, and how many rows each (monitor, index) has. */
  async function account(recordingId: string) {
    const rows = await h.db
      .selectFrom('segments')
      .select(['state', 'monitor_id', 'idx'])
      .where('recording_id', '=', recordingId)
      .execute();
    const keys = new Set(rows.map((r) => `${r.monitor_id}/${r.idx}`));
    return {
      stored: rows.filter((r) => r.state === 'stored').length,
      lost: rows.filter((r) => r.state !== 'stored').length,
      duplicates: rows.length - keys.size,
    };
  }

  test('the host signs capture tokens with the installation key it created at first start', async () => {
    const keys = await h.db.selectFrom('upload_signing_keys').selectAll().execute();
    assert.equal(keys.length, 1);
    assert.match(keys[0]!.id, /^[0-9a-f]{16}$/);
    assert.equal(Buffer.from(keys[0]!.secret, 'base64url').length, 32, 'a 256-bit key');
  });

  test('an upload for a capture with no rows re-creates its recording and call, marked recovered, and is stored', async () => {
    const lost = await lostCapture('lost');
    const captured = 3;
    for (let index = 0; index < captured; index++)
      assert.equal(await tusUploadBuffer(h.url, lost, index, randomBytes(2000)), 201, `segment ${index}`);
    // The same segment again (an agent that did not hear the answer) is no second copy.
    assert.equal(await tusUploadBuffer(h.url, lost, 0, randomBytes(2000)), 409);
    await h.runDueJobs();

    const recording = await h.db
      .selectFrom('recordings')
      .selectAll()
      .where('id', '=', lost.recordingId)
      .executeTakeFirstOrThrow();
    assert.ok(recording.recovered_at, 'the recording is marked as recovered');
    assert.equal(recording.capture_id, lost.claims.captureId);
    assert.equal(recording.workstation_id, lost.claims.workstationId);
    assert.equal(recording.state, 'stored');
    const call = await h.db
      .selectFrom('calls')
      .innerJoin('call_recordings', 'call_recordings.call_id', 'calls.id')
      .select(['calls.external_call_id', 'calls.recovered_at'])
      .where('call_recordings.recording_id', '=', lost.recordingId)
      .executeTakeFirstOrThrow();
    assert.equal(call.external_call_id, 'call-lost');
    assert.ok(call.recovered_at, 'the call is marked as recovered');
    const audit = await h.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('target_id', '=', lost.recordingId)
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ['recording.recovered'],
    );
    assert.ok(
      h.logs.some(
        (l) => l.msg === 'recording re-created from its upload token' && l.recordingId === lost.recordingId,
      ),
    );
    assert.deepEqual(await account(lost.recordingId), { stored: captured, lost: 0, duplicates: 0 });
  });

  test('a call already on record (its end arrived) gets the recovered recording linked, not a second call', async () => {
    // Handled to the end (written) before the upload.
    await h.inject({
      type: 'call.started',
      callId: 'call-known',
      direction: 'inbound',
      agent: { by: 'extension', value: '9999' },
      at: h.clock.now().toISOString(),
    });
    const lost = await lostCapture('known', { call: { sourceId: 'crm', externalCallId: 'call-known' } });
    assert.equal(await tusUploadBuffer(h.url, lost, 0, randomBytes(500)), 201);
    const calls = await h.db
      .selectFrom('calls')
      .leftJoin('call_recordings', 'call_recordings.call_id', 'calls.id')
      .select(['calls.recovered_at', 'call_recordings.recording_id', 'calls.no_recording_reason'])
      .where('external_call_id', '=', 'call-known')
      .execute();
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.recording_id, lost.recordingId);
    assert.equal(calls[0]!.recovered_at, null, 'the call itself was not lost');
    assert.equal(calls[0]!.no_recording_reason, null, 'the call is recorded after all');
  });

  test('a forged, tampered or unknown-key token is refused with 401 and its reason, and re-creates nothing', async () => {
    const lost = await lostCapture('forged');
    const [prefix, keyId, payload, signature] = lost.token.split('.') as [string, string, string, string];
    const otherClaims = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), r: randomUUID() }),
    ).toString('base64url');
    const cases = {
      'claims changed, signature kept': `${prefix}.${keyId}.${otherClaims}.${signature}`,
      'signed with another secret': signUploadToken(keyId, randomBytes(32), lost.claims),
      'signature bit flipped': `${prefix}.${keyId}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`,
    };
    for (const [what, token] of Object.entries(cases)) {
      const answer = await refusal(token, lost.recordingId);
      assert.equal(answer.status, 401, what);
      assert.match(answer.text, /the upload token is not valid: its signature does not match/, what);
    }
    const unknownKey = await refusal(signUploadToken('0123456789abcdef', key.secret, lost.claims), '');
    assert.equal(unknownKey.status, 401);
    assert.match(unknownKey.text, /it names an unknown key/);
    const unsignedClaims = await refusal(`${prefix}.${keyId}.${'A'.repeat(40)}.${signature}`, '');
    assert.equal(unsignedClaims.status, 401);
    const rows = await h.db
      .selectFrom('recordings')
      .select('id')
      .where('id', '=', lost.recordingId)
      .execute();
    assert.deepEqual(rows, [], 'nothing was re-created');
  });

  test('a valid token works only for its own recording, and for one whose row holds another token not at all', async () => {
    const a = await lostCapture('bound-a');
    const b = await lostCapture('bound-b');
    assert.equal(await tusUploadBuffer(h.url, a, 0, randomBytes(100)), 201);
    assert.equal(
      await tusUploadBuffer(h.url, { token: a.token, recordingId: b.recordingId }, 0, randomBytes(100)),
      403,
    );
    // A token naming a recording on record under another token (a replayed claim set, say).
    const seeded = await seedUploadGrant(h.db, h.tenantId, { name: 'bound-c' });
    const c = await lostCapture('bound-c', { recordingId: seeded.recordingId });
    const answer = await refusal(c.token, seeded.recordingId);
    assert.equal(answer.status, 401);
    assert.match(answer.text, /holds another token/);
  });

  test('expiry: a lost capture is re-created only within the window; a recovered one expires after its end like any', async () => {
    const old = await lostCapture('old', {
      issuedAt: new Date(h.clock.now().getTime() - 31 * DAY),
      expiresAt: new Date(h.clock.now().getTime() - DAY),
    });
    const late = await refusal(old.token, old.recordingId);
    assert.equal(late.status, 401);
    assert.match(
      late.text,
      /expired at .*: its recording is not on record and the token is too old to re-create it/,
    );

    const lost = await lostCapture('ends');
    assert.equal(await tusUploadBuffer(h.url, lost, 0, randomBytes(100)), 201);
    h.clock.advance(169 * 3_600_000);
    const expired = await refusal(lost.token, lost.recordingId);
    assert.equal(expired.status, 401);
    assert.match(
      expired.text,
      /the upload token expired at .*: its capture ended and nothing was uploaded with it for 168 h/,
    );
  });

  test.run();
}
