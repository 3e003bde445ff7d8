import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type CallEventInput, CallEventSchema } from '@deskrec/core';
import { suite } from 'uvu';
import { databaseKinds, tempDir } from './db-harness.js';
import {
  callRow,
  eventually,
  HOOK_SECRET,
  type OrchestratorHost,
  startOrchestratorHost,
} from './support/orchestrator-host.js';

const SPOOL = '/var/spool/asterisk/monitor/';

for (const kind of await databaseKinds()) {
  const test = suite(`jobs: the PBX's own recordings (${kind})`);
  let h: OrchestratorHost;
  let spool: Awaited<ReturnType<typeof tempDir>>;
  let server: http.Server;
  /** What the HTTP server of the second PBX serves, by request path; anything else is a 404. */
  const served = new Map<string, Buffer>();
  const requests: string[] = [];

  test.before(async () => {
    spool = await tempDir('deskrec-pbx-spool-');
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = served.get(req.url ?? '');
      res.statusCode = body ? 200 : 404;
      if (body) res.setHeader('content-type', 'audio/wav');
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    h = await startOrchestratorHost({
      kind,
      callEvents: [
        `{ use: webhook, id: crm, options: { secret: ${HOOK_SECRET} }, recordings: { prefix: '${SPOOL}', storage: { use: local, options: { root: '${spool.path}' } }, giveUpAfterMinutes: 30 } }`,
        `{ use: webhook, id: fs, options: { secret: ${HOOK_SECRET}-fs }, recordings: { prefix: '/recordings/', url: 'http://127.0.0.1:${port}/monitor/' } }`,
      ].join(', '),
      extraYaml: ['fetch: { allow: [127.0.0.1/32] }'],
    });
  });
  test.after(async () => {
    await h?.stop();
    await new Promise((r) => server.close(r));
    await spool?.remove();
  });

  /** A call of agent 7001 on `sourceId` whose end names the PBX's recording `file`. */
  const recordedCall = async (sourceId: string, callId: string, file: string) => {
    const base = { callId, agent: { by: 'extension' as const, value: '7001' } };
    const events: CallEventInput[] = [
      { ...base, type: 'call.started', at: h.clock.now() },
      { ...base, type: 'call.ended', at: h.clock.now(), recording: { file } },
    ];
    for (const event of events)
      await h.host.runtime().orchestrator.handleCallEvent(h.tenantId, sourceId, CallEventSchema.parse(event));
  };

  /** Runs the job until the call's audio answer matches `pattern`, moving the clock past each pause. */
  const answerOf = (callId: string, pattern: RegExp) =>
    eventually(
      `the audio of ${callId} to read ${pattern}`,
      async () => {
        h.clock.advance(60_000);
        await h.runDueJobs();
        const row = await callRow(h, callId);
        return row?.audio_fetch && pattern.test(row.audio_fetch) ? row : undefined;
      },
      // A busy machine (and PostgreSQL) may need many passes; the clock, not this, decides the retries.
      60_000,
    );

  const attemptsOf = async (callId: string) => {
    const call = await callRow(h, callId);
    const jobs = await h.db
      .selectFrom('jobs')
      .select(['attempts', 'payload'])
      .where('kind', '=', 'fetch-pbx-recording')
      .execute();
    return jobs.find((j) => (j.payload as { callId: string }).callId === call!.id)?.attempts ?? 0;
  };

  test('a recording that appears on the storage target only later is fetched on a retry and stored', async () => {
    const file = `${SPOOL}2026/12/03/in-1001.wav`;
    await recordedCall('crm', 'pbx-rec-1', file);
    const waiting = await answerOf('pbx-rec-1', /does not exist/);
    assert.match(
      waiting.audio_fetch!,
      /^waiting for the PBX's recording: 2026\/12\/03\/in-1001\.wav does not exist \(yet\)$/,
    );
    assert.equal(waiting.audio_key, null);
    // The PBX finishes writing the file after the call.
    const bytes = randomBytes(256 * 1024);
    await fs.mkdir(path.join(spool.path, '2026', '12', '03'), { recursive: true });
    await fs.writeFile(path.join(spool.path, '2026', '12', '03', 'in-1001.wav'), bytes);
    const row = await answerOf('pbx-rec-1', /^fetched/);
    assert.equal(row.audio_fetch, `fetched from the PBX, ${bytes.length} bytes stored`);
    assert.match(row.audio_key!, /-audio\.wav$/);
    assert.deepEqual(
      await fs.readFile(path.join(h.dataDir, 'recordings', ...row.audio_key!.split('/'))),
      bytes,
    );
    assert.ok((await attemptsOf('pbx-rec-1')) >= 2, 'stored on a retry, not the first attempt');
  });

  test('a recording served over HTTP only after a while is fetched, stored and shown on the call page', async () => {
    await recordedCall('fs', 'pbx-rec-2', '/recordings/2026-12-03/c0ffee.wav');
    await answerOf('pbx-rec-2', /answered 404/);
    const bytes = randomBytes(128 * 1024);
    served.set('/monitor/2026-12-03/c0ffee.wav', bytes);
    const row = await answerOf('pbx-rec-2', /^fetched/);
    assert.equal(row.audio_fetch, `fetched from the PBX, ${bytes.length} bytes stored`);
    assert.deepEqual(
      await fs.readFile(path.join(h.dataDir, 'recordings', ...row.audio_key!.split('/'))),
      bytes,
    );
    assert.ok(requests.filter((r) => r === '/monitor/2026-12-03/c0ffee.wav').length >= 2);
    // The call page plays it and says where it came from.
    const signIn = await fetch(`${h.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: h.url },
      body: new URLSearchParams({ ...h.admin, next: '/calls' }),
    });
    const cookie = signIn.headers
      .getSetCookie()
      .find((c) => c.startsWith('deskrec_session='))!
      .split(';')[0]!;
    const page = async (id: string) =>
      (await fetch(`${h.url}/calls/${id}`, { headers: { cookie, origin: h.url } })).text();
    const html = await page(row.id);
    assert.match(html, /<audio preload="auto" src="[^"]+\/audio"/);
    assert.match(html, /fetched from the PBX, 131072 bytes stored/);
    // A call still waiting says so.
    await recordedCall('fs', 'pbx-rec-3', '/recordings/later.wav');
    const waiting = await answerOf('pbx-rec-3', /answered 404/);
    assert.match(
      await page(waiting.id),
      /Call audio: waiting for the PBX&#39;s recording: http:\/\/127\.0\.0\.1:\d+\/monitor\/later\.wav answered 404/,
    );
  });

  test('a transfer names the recording on each agent’s end: one job fetches it', async () => {
    const file = `${SPOOL}transfer.wav`;
    for (const [type, agent] of [
      ['call.started', '7001'],
      ['call.started', '7002'],
      ['call.ended', '7001'],
      ['call.ended', '7002'],
    ] as const) {
      const event = CallEventSchema.parse({
        type,
        callId: 'pbx-xfer',
        at: h.clock.now(),
        agent: { by: 'extension', value: agent },
        ...(type === 'call.ended' ? { recording: { file } } : {}),
      });
      await h.host.runtime().orchestrator.handleCallEvent(h.tenantId, 'crm', event);
    }
    const call = await callRow(h, 'pbx-xfer');
    const jobs = await h.db
      .selectFrom('jobs')
      .select('payload')
      .where('kind', '=', 'fetch-pbx-recording')
      .execute();
    assert.equal(jobs.filter((j) => (j.payload as { callId: string }).callId === call!.id).length, 1);
  });

  test('a file name that leaves the folder is refused, never read, and logged as an error', async () => {
    const before = requests.length;
    const cases = [
      ['crm', 'pbx-trav-1', `${SPOOL}../../../../etc/passwd`],
      ['crm', 'pbx-trav-2', '/etc/shadow'],
      ['crm', 'pbx-trav-3', `${SPOOL}a//b.wav`],
      ['fs', 'pbx-trav-4', '/recordings/x/../../secret.wav'],
    ] as const;
    for (const [source, id, file] of cases) await recordedCall(source, id, file);
    for (const [, id, file] of cases) {
      const row = await answerOf(id, /^failed:/);
      assert.match(
        row.audio_fetch!,
        /^failed: .*(is outside|is refused: key has)/,
        `${file}: ${row.audio_fetch}`,
      );
      assert.equal(row.audio_key, null);
    }
    assert.deepEqual(
      requests.slice(before).filter((r) => !r.endsWith('/later.wav')),
      [],
      'the PBX web server was not asked for any of them (only the call still waiting asks)',
    );
    const errors = h.logs.filter(
      (l) => l.level === 50 && String(l.msg).startsWith('PBX recording not fetched'),
    );
    assert.ok(errors.length >= cases.length, 'each refusal is an error in the System Log');
  });

  test('a recording that never appears is given up after giveUpAfterMinutes, with the reason on the call', async () => {
    await recordedCall('crm', 'pbx-rec-never', `${SPOOL}never.wav`);
    const row = await answerOf('pbx-rec-never', /^failed:/);
    assert.equal(row.audio_fetch, 'failed: never.wav does not exist (yet) (gave up after 30 min)');
    assert.ok(
      h.logs.some((l) => l.level === 50 && String(l.msg).includes('never.wav does not exist (yet) (gave up')),
      'the give-up is an error in the System Log',
    );
    const attempts = await attemptsOf('pbx-rec-never');
    h.clock.advance(3_600_000);
    await h.runDueJobs();
    assert.equal(await attemptsOf('pbx-rec-never'), attempts, 'no attempt after giving up');
  });

  test.run();
}
