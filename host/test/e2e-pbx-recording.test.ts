import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'uvu';
import { tempDir } from './db-harness.js';
import {
  callRow,
  eventually,
  type OrchestratorHost,
  startOrchestratorHost,
} from './support/orchestrator-host.js';
import {
  eslPlainFrames,
  type PbxServer,
  startAmiServer,
  startEslServer,
  transcriptParts,
} from './support/orchestrator-pbx.js';

let h: OrchestratorHost | undefined;
let pbx: PbxServer | undefined;
let web: http.Server | undefined;
let spool: Awaited<ReturnType<typeof tempDir>> | undefined;

test.after.each(async () => {
  await h?.stop();
  await pbx?.close();
  if (web) await new Promise((r) => web!.close(r));
  await spool?.remove();
  h = pbx = web = spool = undefined;
});

/** Runs the host's jobs, moving its clock past each retry pause, until the call has its audio. */
const storedAudio = (host: OrchestratorHost, callId: string) =>
  eventually(
    `the PBX recording of ${callId} to be stored`,
    async () => {
      host.clock.advance(60_000);
      await host.runDueJobs();
      const row = await callRow(host, callId);
      return row?.audio_key ? row : undefined;
    },
    30_000,
  );

test('Asterisk: MixMonitor names the file over AMI; the host fetches it from the spool once written', async () => {
  spool = await tempDir('deskrec-e2e-spool-');
  pbx = await startAmiServer('ami-secret');
  h = await startOrchestratorHost({
    callEvents: `{ use: asterisk, id: pbx, options: { host: 127.0.0.1, port: ${pbx.port}, username: deskrec, secret: ami-secret, trunkChannelPatterns: ['^PJSIP/provider-trunk-'] }, recordings: { prefix: /var/spool/asterisk/monitor/, storage: { use: local, options: { root: '${spool.path}' } } } }`,
  });
  const [talking, hangup] = await transcriptParts(
    'pbx-asterisk/test/transcripts/inbound-answered.txt',
    'Event: HangupRequest',
  );
  const mixMonitor = [
    'Event: VarSet',
    'Privilege: dialplan,all',
    'Timestamp: 1700000105.000000',
    'Channel: PJSIP/provider-trunk-00000001',
    'Uniqueid: 1700000100.1',
    'Linkedid: 1700000100.1',
    'Variable: MIXMONITOR_FILENAME',
    'Value: /var/spool/asterisk/monitor/2023/11/14/in-1700000100.1.wav',
    '',
    '',
  ].join('\r\n');
  await pbx.loggedIn;
  await pbx.send(talking + mixMonitor + hangup);
  const waiting = await eventually(
    'the call to wait for the recording',
    async () => {
      await h!.runDueJobs();
      const row = await callRow(h!, '1700000100.1');
      return row?.audio_fetch?.includes('does not exist') ? row : undefined;
    },
    30_000,
  );
  assert.equal(waiting.state, 'ended');
  // Asterisk moves the finished file into the spool after the call.
  const bytes = randomBytes(96 * 1024);
  await fs.mkdir(path.join(spool.path, '2023', '11', '14'), { recursive: true });
  await fs.writeFile(path.join(spool.path, '2023', '11', '14', 'in-1700000100.1.wav'), bytes);
  const row = await storedAudio(h, '1700000100.1');
  assert.equal(row.extension, '1001');
  assert.equal(row.audio_fetch, `fetched from the PBX, ${bytes.length} bytes stored`);
  assert.deepEqual(
    await fs.readFile(path.join(h.dataDir, 'recordings', ...row.audio_key!.split('/'))),
    bytes,
  );
});

test('FreeSWITCH: RECORD_START names the file over ESL; the host fetches it from the PBX web server', async () => {
  const bytes = randomBytes(64 * 1024);
  let ready = false;
  web = http.createServer((req, res) => {
    const hit = ready && req.url === '/recordings/a1f0c5d2-1111-4c1e-9a01-000000000001.wav';
    res.statusCode = hit ? 200 : 404;
    res.end(hit ? bytes : undefined);
  });
  await new Promise<void>((r) => web!.listen(0, '127.0.0.1', r));
  const port = (web.address() as AddressInfo).port;
  pbx = await startEslServer('ClueCon');
  h = await startOrchestratorHost({
    callEvents: `{ use: freeswitch, id: pbx, options: { host: 127.0.0.1, port: ${pbx.port}, password: ClueCon }, recordings: { prefix: /var/lib/freeswitch/recordings/, url: 'http://127.0.0.1:${port}/recordings/' } }`,
    extraYaml: ['fetch: { allow: [127.0.0.1/32] }'],
  });
  const [bridged, hangup] = await transcriptParts(
    'pbx-freeswitch/test/dumps/inbound-answered.txt',
    'Event-Name: CHANNEL_HANGUP_COMPLETE',
  );
  const recordStart = [
    'Event-Name: RECORD_START',
    'Event-Date-Timestamp: 1700001005000000',
    'Unique-ID: a1f0c5d2-1111-4c1e-9a01-000000000001',
    'Channel-Call-UUID: a1f0c5d2-1111-4c1e-9a01-000000000001',
    'Record-File-Path: /var/lib/freeswitch/recordings/a1f0c5d2-1111-4c1e-9a01-000000000001.wav',
  ].join('\n');
  await pbx.loggedIn;
  await pbx.send(eslPlainFrames(`${bridged}\n\n${recordStart}\n\n${hangup}`));
  await eventually(
    'the call to wait for the recording',
    async () => {
      await h!.runDueJobs();
      const row = await callRow(h!, 'a1f0c5d2-1111-4c1e-9a01-000000000001');
      return row?.audio_fetch?.includes('answered 404') ? row : undefined;
    },
    30_000,
  );
  ready = true;
  const row = await storedAudio(h, 'a1f0c5d2-1111-4c1e-9a01-000000000001');
  assert.equal(row.audio_fetch, `fetched from the PBX, ${bytes.length} bytes stored`);
  assert.deepEqual(
    await fs.readFile(path.join(h.dataDir, 'recordings', ...row.audio_key!.split('/'))),
    bytes,
  );
});

test.run();
