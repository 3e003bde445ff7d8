import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'uvu';
import {
  type AgentProcess,
  type E2eHost,
  startAgentProcess,
  startE2eHost,
  until,
} from './support/e2e-host.js';
import { decode, descendants } from './support/uploads-crash.js';
import { sha256File } from './support/uploads-fixtures.js';

let h: E2eHost;
let agent: AgentProcess | undefined;

test.before(async () => {
  h = await startE2eHost();
});

test.after(async () => {
  for (const pid of agent ? await descendants(agent.child.pid!) : []) process.kill(pid, 'SIGKILL');
  await agent?.kill('SIGKILL');
  await h?.stop();
});

const db = () => h.host.services().database.db;

async function capturedFiles(agentDir: string): Promise<string[]> {
  const base = path.join(agentDir, 'spool', 'captures');
  const out: string[] = [];
  for (const dir of await fs.readdir(base).catch(() => [])) {
    for (const f of await fs.readdir(path.join(base, dir)))
      if (f.endsWith('.mp4')) out.push(path.join(base, dir, f));
  }
  return out;
}

test('a capture killed with SIGKILL leaves a playable file that is uploaded after the agent restarts', async () => {
  const user = await h.api('POST', '/api/users', {
    name: 'Crash Agent',
    screenRecordingLogin: 'E2E\\crash',
    seatLicence: true,
    extensions: ['2001'],
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  agent = await startAgentProcess({ controllerPort: h.controllerPort, token: h.token, login: 'e2e\\crash' });
  const agentDir = agent.dataDir;
  const pending = await until('the agent to appear as pending', async () => {
    const list = await h.api('GET', '/api/workstations?state=pending');
    return list.body.items[0];
  });
  await h.api('POST', '/api/workstations/authorize', { ids: [pending.id] });

  const call = { callId: 'crash-call', direction: 'inbound', agent: { by: 'extension', value: '2001' } };
  assert.equal(await h.postCallEvent({ ...call, type: 'call.started', at: new Date().toISOString() }), 202);
  const recording = await until('the capture to start', async () => {
    const row = await db().selectFrom('recordings').selectAll().executeTakeFirst();
    return row?.state === 'recording' && row;
  });
  // Let ffmpeg write a few seconds of fragments, then crash everything at once: ffmpeg and the agent.
  await until('ffmpeg to have written some video', async () => {
    const files = await capturedFiles(agentDir);
    const sizes = await Promise.all(files.map(async (f) => (await fs.stat(f)).size));
    return sizes.some((s) => s > 20_000);
  });
  await new Promise((r) => setTimeout(r, 3000));
  const children = await descendants(agent.child.pid!);
  assert.ok(children.length > 0, 'the agent runs ffmpeg as a child process');
  for (const pid of children) process.kill(pid, 'SIGKILL');
  await agent.kill('SIGKILL');
  assert.equal(await h.postCallEvent({ ...call, type: 'call.ended', at: new Date().toISOString() }), 202);

  const files = await capturedFiles(agentDir);
  assert.ok(files.length > 0, 'the crashed capture left its file in the agent spool');
  const expected = new Map<string, string>();
  for (const file of files) {
    const decoded = await decode(file);
    assert.equal(decoded.code, 0, `ffmpeg decodes ${path.basename(file)}: ${decoded.errors}`);
    assert.ok(decoded.seconds > 0, `${path.basename(file)} plays ${decoded.seconds} s`);
    expected.set(await sha256File(file), file);
  }

  agent = await startAgentProcess({
    controllerPort: h.controllerPort,
    token: h.token,
    login: 'e2e\\crash',
    dataDir: agentDir,
  });
  const segments = await until(
    'every crashed file to be stored',
    async () => {
      const rows = await db()
        .selectFrom('segments')
        .selectAll()
        .where('recording_id', '=', recording.id)
        .execute();
      const stored = rows.filter((r) => r.state === 'stored');
      return stored.length >= expected.size && stored;
    },
    90_000,
  );
  const storedHashes = new Set<string>();
  for (const segment of segments) {
    const file = path.join(h.dataDir, 'recordings', ...segment.storage_key!.split('/'));
    const sha = await sha256File(file);
    assert.equal(sha, segment.sha256, 'stored bytes match the SHA-256 the agent declared');
    storedHashes.add(sha);
  }
  for (const [sha, file] of expected) assert.ok(storedHashes.has(sha), `${file} was stored byte for byte`);
  await until('the agent spool to be empty', async () => (await capturedFiles(agentDir)).length === 0);
});

test.run();
