import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
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

// The full run is long (each kill is a call): DESKREC_TEST_SYSTEM=1 runs 20, `npm test` runs 3.
const KILLS = process.env.DESKREC_TEST_SYSTEM === '1' ? 20 : 3;
const LOGIN = 'e2e\\chaos';

let h: E2eHost;
let agent: AgentProcess | undefined;
let witnessDir = '';
let witnessing: NodeJS.Timeout | undefined;

test.before(async () => {
  h = await startE2eHost();
  witnessDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-chaos-witness-'));
});

test.after(async () => {
  clearInterval(witnessing);
  if (agent) {
    for (const pid of await descendants(agent.child.pid!)) process.kill(pid, 'SIGKILL');
    await agent.kill('SIGKILL');
  }
  await h?.stop();
  await fs.rm(witnessDir, { recursive: true, force: true });
  if (agent) await fs.rm(agent.dataDir, { recursive: true, force: true });
  if (h) await fs.rm(h.dataDir, { recursive: true, force: true });
});

const db = () => h.host.services().database.db;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every segment file that ever appears in the agent's spool, hard-linked into a folder of the test's own:
 * the link keeps the file's final bytes after the agent deleted its name (once uploaded). That is the
 * ground truth of what was captured, independent of what the agent reports.
 */
function witness(agentDir: string): void {
  const base = path.join(agentDir, 'spool', 'captures');
  const look = async () => {
    for (const dir of await fs.readdir(base).catch(() => [] as string[])) {
      for (const name of await fs.readdir(path.join(base, dir)).catch(() => [] as string[])) {
        if (!name.endsWith('.mp4')) continue;
        await fs.link(path.join(base, dir, name), path.join(witnessDir, name)).catch(() => undefined);
      }
    }
  };
  witnessing = setInterval(() => void look(), 50);
}

async function spoolFiles(agentDir: string): Promise<string[]> {
  const base = path.join(agentDir, 'spool', 'captures');
  const out: string[] = [];
  for (const dir of await fs.readdir(base).catch(() => [] as string[]))
    for (const f of await fs.readdir(path.join(base, dir)).catch(() => [] as string[]))
      if (f.endsWith('.mp4')) out.push(f);
  return out;
}

async function workstationOnline(): Promise<boolean> {
  const list = await h.api('GET', '/api/workstations');
  return list.body.items.some(
    (w: { online: boolean; state: string }) => w.online && w.state === 'authorized',
  );
}

async function restartAgent(dataDir: string): Promise<void> {
  agent = await startAgentProcess({
    controllerPort: h.controllerPort,
    token: h.token,
    login: LOGIN,
    dataDir,
  });
  await until('the restarted agent to be online', workstationOnline, 60_000);
}

test(`kill -9 of the agent ×${KILLS} at random points of calls: every captured segment is stored once, byte for byte`, async () => {
  const user = await h.api('POST', '/api/users', {
    name: 'Chaos Agent',
    screenRecordingLogin: 'E2E\\chaos',
    seatLicence: true,
    extensions: ['3001'],
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const settings = await h.api('GET', '/api/settings');
  const put = await h.api('PUT', '/api/settings', { ...settings.body, wrapUpSeconds: 0, maxFileSeconds: 10 });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  agent = await startAgentProcess({ controllerPort: h.controllerPort, token: h.token, login: LOGIN });
  const dataDir = agent.dataDir;
  witness(dataDir);
  const pending = await until('the agent to appear as pending', async () => {
    const list = await h.api('GET', '/api/workstations?state=pending');
    return list.body.items[0];
  });
  await h.api('POST', '/api/workstations/authorize', { ids: [pending.id] });
  await until('the agent to be authorized and online', workstationOnline);

  const kinds: string[] = [];
  for (let round = 0; round < KILLS; round++) {
    const call = {
      callId: `chaos-${round}`,
      direction: 'inbound',
      agent: { by: 'extension', value: '3001' },
    };
    assert.equal(await h.postCallEvent({ ...call, type: 'call.started', at: new Date().toISOString() }), 202);
    await until('the capture to start', async () => {
      const row = await db()
        .selectFrom('recordings')
        .select('started_at')
        .where('state', '=', 'recording')
        .executeTakeFirst();
      return Boolean(row);
    });
    // Where the kill lands: during the capture (often across a segment cut), or after the call ended,
    // while the last segment is finalized and uploads run.
    const during = randomInt(3) > 0;
    const kind = during ? 'mid-capture' : 'after call end';
    kinds.push(kind);
    await sleep(randomInt(during ? 0 : 1500, during ? 14_000 : 12_000));
    if (!during) {
      await h.postCallEvent({ ...call, type: 'call.ended', at: new Date().toISOString() });
      await sleep(randomInt(0, 1500));
    }
    // Only the agent dies: ffmpeg and its watchdog are left to the operating system, as in a real crash.
    await agent.kill('SIGKILL');
    if (during) await h.postCallEvent({ ...call, type: 'call.ended', at: new Date().toISOString() });
    await restartAgent(dataDir);
  }

  await until('the agent spool to be empty', async () => (await spoolFiles(dataDir)).length === 0, 240_000);
  await until(
    'every segment row to be stored',
    async () => {
      const rows = await db().selectFrom('segments').select('state').execute();
      return rows.length > 0 && rows.every((r) => r.state === 'stored');
    },
    120_000,
  );
  clearInterval(witnessing);

  // What was captured: every witnessed file that holds video (a file ffmpeg opened as it was stopped holds
  // none; the agent deletes it and reports it as discarded).
  const captured = new Map<string, string>();
  let empty = 0;
  for (const name of (await fs.readdir(witnessDir)).sort()) {
    const file = path.join(witnessDir, name);
    const decoded = await decode(file);
    if (decoded.seconds > 0 && decoded.code === 0) captured.set(name, await sha256File(file));
    else empty += 1;
  }
  const stored = await db().selectFrom('segments').selectAll().execute();
  const storedBySha = new Map<string, number>();
  for (const segment of stored) {
    const file = path.join(h.dataDir, 'recordings', ...segment.storage_key!.split('/'));
    assert.equal(
      await sha256File(file),
      segment.sha256,
      `stored bytes of ${segment.storage_key} match their SHA-256`,
    );
    storedBySha.set(segment.sha256, (storedBySha.get(segment.sha256) ?? 0) + 1);
  }
  const lost = [...captured].filter(([, sha]) => !storedBySha.has(sha)).map(([name]) => name);
  const duplicated = [...storedBySha.values()].filter((n) => n > 1).length;
  const discarded = await db()
    .selectFrom('audit_log')
    .select('detail')
    .where('action', '=', 'agent.file-discarded')
    .execute();
  console.log(
    `chaos ×${KILLS} (${kinds.filter((k) => k === 'mid-capture').length} mid-capture, ${kinds.filter((k) => k !== 'mid-capture').length} after call end): ` +
      `captured ${captured.size}, stored ${stored.length}, lost ${lost.length}, duplicated ${duplicated}, ` +
      `empty files ${empty} (reported discarded: ${discarded.length})`,
  );
  assert.deepEqual(lost, [], 'no captured segment is lost');
  assert.equal(duplicated, 0, 'no segment is stored twice');
  assert.equal(stored.length, captured.size, 'every stored segment is a captured file');
  assert.ok(captured.size >= KILLS, `each call captured at least one segment (${captured.size})`);
  assert.ok(discarded.length >= empty, 'each file without video was reported to the host');
  // An ffmpeg of a killed agent is nobody's child any more: look for any writing into this agent's spool.
  const ffmpegs: number[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('ffmpeg') && cmd.includes(dataDir)) ffmpegs.push(Number(entry));
  }
  assert.deepEqual(ffmpegs, [], 'no ffmpeg runs once every call ended');
});

test.run();
