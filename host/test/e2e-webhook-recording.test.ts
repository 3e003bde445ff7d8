import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'uvu';
import {
  type AgentProcess,
  type E2eHost,
  startAgentProcess,
  startE2eHost,
  until,
} from './support/e2e-host.js';

let h: E2eHost;
let agent: AgentProcess;
let audioServer: http.Server;
const audio = Buffer.alloc(48_000, 1);

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

test.before(async () => {
  // The test's audio server is on loopback, which the host refuses unless the admin allows it.
  h = await startE2eHost(['fetch: { allow: [127.0.0.0/8] }']);
  audioServer = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': audio.length });
    res.end(audio);
  });
  await new Promise<void>((r) => audioServer.listen(0, '127.0.0.1', r));
});

test.after(async () => {
  await agent?.kill();
  await h?.stop();
  await new Promise((r) => audioServer.close(r));
});

test('a webhook call for a licensed agent is recorded through wrap-up, uploaded and stored under the template name', async () => {
  const users = await h.api('POST', '/api/users', {
    name: 'Alice Agent',
    screenRecordingLogin: 'E2E\\alice',
    seatLicence: true,
    extensions: ['1001'],
  });
  assert.equal(users.status, 201, JSON.stringify(users.body));
  const settings = await h.api('GET', '/api/settings');
  const put = await h.api('PUT', '/api/settings', { ...settings.body, wrapUpSeconds: 2, maxFileSeconds: 10 });
  assert.equal(put.status, 200, JSON.stringify(put.body));

  agent = await startAgentProcess({ controllerPort: h.controllerPort, token: h.token, login: 'e2e\\ALICE' });
  const pending = await until('the agent to appear as pending', async () => {
    const list = await h.api('GET', '/api/workstations?state=pending');
    return list.body.items[0];
  });
  assert.equal(pending.computerName, 'E2E-PC');
  const authorized = await h.api('POST', '/api/workstations/authorize', { ids: [pending.id] });
  assert.deepEqual(authorized.body.changed, [pending.id]);
  const metrics = await until('the connected agent to show in /metrics as authorized', async () => {
    const text = await (await fetch(`${h.started.url}/metrics`)).text();
    return text.includes('deskrec_connected_agents{state="authorized"} 1') ? text : undefined;
  });
  assert.match(metrics, /deskrec_connected_agents\{state="pending"\} 0/);

  const at = new Date();
  const base = {
    callId: 'crm-call-1',
    direction: 'inbound',
    agent: { by: 'extension', value: '1001' },
    from: { number: '+15550100' },
  };
  assert.equal(await h.postCallEvent({ ...base, type: 'call.started', at: at.toISOString() }), 202);
  await until('the capture to start', async () => {
    const rows = await h.host.services().database.db.selectFrom('recordings').selectAll().execute();
    return rows[0]?.state === 'recording' ? rows[0] : undefined;
  });
  // The call goes on until the agent reported its first full segment (10 s files), so the recording spans two.
  await until('the first segment to be reported', async () => {
    const rows = await h.host.services().database.db.selectFrom('segments').select('id').execute();
    return rows.length > 0 ? rows : undefined;
  });
  const { port } = audioServer.address() as AddressInfo;
  assert.equal(
    await h.postCallEvent({
      ...base,
      type: 'call.ended',
      at: new Date().toISOString(),
      audioUrl: `http://127.0.0.1:${port}/call-1.wav`,
    }),
    202,
  );

  const db = h.host.services().database.db;
  const recording = await until(
    'the recording to be stored',
    async () => {
      const row = await db.selectFrom('recordings').selectAll().executeTakeFirst();
      return row?.state === 'stored' ? row : undefined;
    },
    90_000,
  );
  const segments = await db
    .selectFrom('segments')
    .selectAll()
    .where('recording_id', '=', recording.id)
    .orderBy('idx')
    .execute();
  assert.ok(
    segments.length >= 2,
    `a call past its first 10 s file, with 2 s wrap-up, gives at least two segments, got ${segments.length}`,
  );
  const day = new Date(segments[0]!.started_at).toISOString().slice(0, 10).replaceAll('-', '');
  for (const segment of segments) {
    assert.equal(segment.state, 'stored');
    assert.equal(segment.storage_target_id, 'default-local');
    assert.match(segment.storage_key!, new RegExp(`^${day}/${day}\\d{6}-${recording.id}(-0-\\d{3})?\\.mp4$`));
    const file = path.join(h.dataDir, 'recordings', ...segment.storage_key!.split('/'));
    assert.equal(await sha256(file), segment.sha256, 'stored bytes are the bytes the agent hashed');
  }
  assert.equal(
    segments[0]!.storage_key,
    `${day}/${segments[0]!.storage_key!.slice(9, 23)}-${recording.id}.mp4`,
  );
  const spool = await fs.readdir(path.join(h.dataDir, 'spool', 'ready'));
  assert.deepEqual(spool, [], 'the host spool is emptied once stored');

  const call = await until('the call audio to be stored', async () => {
    const row = await db
      .selectFrom('calls')
      .selectAll()
      .where('external_call_id', '=', 'crm-call-1')
      .executeTakeFirst();
    return row?.audio_key ? row : undefined;
  });
  const links = await db.selectFrom('call_recordings').selectAll().where('call_id', '=', call.id).execute();
  assert.deepEqual(
    links.map((l) => l.recording_id),
    [recording.id],
    'the call links its screen recording',
  );
  assert.equal(call.state, 'ended');
  assert.equal(call.no_recording_reason, null);
  const audioFile = path.join(h.dataDir, 'recordings', ...call.audio_key!.split('/'));
  assert.deepEqual(await fs.readFile(audioFile), audio, 'the call links its audio');
  assert.equal(
    call.audio_fetch,
    `answered 200, ${audio.length} bytes stored`,
    'the answer is kept on the call',
  );

  await until('the agent spool to be empty', async () => {
    const captures = await fs.readdir(path.join(agent.dataDir, 'spool', 'captures')).catch(() => []);
    return captures.length === 0;
  });
});

test.run();
