import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signedHeaders } from '@deskrec/pbx-webhook';
import pg from 'pg';
import { test } from 'uvu';
import { dropSchema, freshSchemaName, PG_URL, postgresUnavailable } from '../db-harness.js';
import { type AgentProcess, startAgentProcess, until, WEBHOOK_SECRET } from '../support/e2e-host.js';
import { descendants } from '../support/uploads-crash.js';
import { sha256File } from '../support/uploads-fixtures.js';

const childScript = fileURLToPath(new URL('../support/durable-host-process.ts', import.meta.url));
const skip = await postgresUnavailable();
let work: string;
let schema: string;
let host: ChildProcess | undefined;
let agent: AgentProcess | undefined;
let db: pg.Client;

interface Started {
  url: string;
  firstStart: { username: string; password: string; tenantToken: string } | null;
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startHost(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  host = child;
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) resolve(JSON.parse(line) as Started);
    });
    child.once('exit', (code) => reject(new Error(`host exited ${code}: ${err.slice(-2000)}`)));
  });
}

function killHost(): Promise<void> {
  return new Promise((resolve) => {
    if (!host || host.exitCode !== null || host.signalCode !== null) return resolve();
    host.once('exit', () => resolve());
    host.kill('SIGKILL');
  });
}

test.before(async () => {
  if (skip) return;
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-durable-kill-'));
  schema = freshSchemaName();
});

test.after(async () => {
  if (agent && process.env.DESKREC_TEST_KEEP) {
    await fs.writeFile(path.join(work, 'agent.log'), agent.output());
    console.log(`kept ${work}`);
  }
  for (const pid of agent ? await descendants(agent.child.pid!) : []) process.kill(pid, 'SIGKILL');
  await agent?.kill('SIGKILL');
  await killHost();
  await db?.end().catch(() => undefined);
  if (schema && !skip) await dropSchema(schema).catch(() => undefined);
  if (work && !process.env.DESKREC_TEST_KEEP) await fs.rm(work, { recursive: true, force: true });
});

const q = async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as T[];

test('a host killed between capture.start and writing its rows: after a restart the recording is stored', async () => {
  if (skip) return;
  const dataDir = path.join(work, 'host');
  await fs.mkdir(dataDir, { recursive: true });
  const [webPort, tcpPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
  const args = [dataDir, schema, String(webPort), String(tcpPort), String(tlsPort)];
  let started = await startHost(args);
  const credentials = started.firstStart!;
  const api = async (method: string, route: string, body?: unknown) => {
    const login = await fetch(`${started.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: credentials.username,
        password: credentials.password,
        tenant: 'default',
        bearer: true,
      }),
    });
    const { token } = (await login.json()) as { token: string };
    const response = await fetch(`${started.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    // biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  };
  const post = (event: Record<string, unknown>) => {
    const body = JSON.stringify(event);
    return fetch(`${started.url}/hooks/crm`, {
      method: 'POST',
      headers: signedHeaders(WEBHOOK_SECRET, body),
      body,
    });
  };
  db = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await db.connect();

  const user = await api('POST', '/api/users', {
    name: 'Durable Agent',
    screenRecordingLogin: 'E2E\\durable',
    seatLicence: true,
    extensions: ['3001'],
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const settings = await api('GET', '/api/settings');
  assert.equal((await api('PUT', '/api/settings', { ...settings.body, maxFileSeconds: 10 })).status, 200);
  agent = await startAgentProcess({
    controllerPort: tcpPort,
    token: credentials.tenantToken,
    login: 'e2e\\durable',
  });
  const pending = await until('the agent to appear as pending', async () => {
    const list = await api('GET', '/api/workstations?state=pending');
    return list.body.items[0];
  });
  await api('POST', '/api/workstations/authorize', { ids: [pending.id] });
  await until('the workstation to be authorized and online', async () => {
    const list = await api('GET', '/api/workstations?state=authorized');
    return list.body.items[0]?.online;
  });
  // A call nobody records loads the tenant's memory, so the next decision needs no read.
  await post({
    type: 'call.started',
    callId: 'warm-up',
    direction: 'inbound',
    agent: { by: 'extension', value: '1' },
    at: new Date().toISOString(),
  });
  await until(
    'the warm-up call to be written',
    async () => (await q(`select id from calls where external_call_id = 'warm-up'`)).length,
  );

  // The window: the decision is sent, its writes wait for this lock, and the host dies meanwhile.
  const locker = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await locker.connect();
  await locker.query('begin');
  await locker.query('lock table calls, recordings in access exclusive mode');
  const call = { callId: 'killed-call', direction: 'inbound', agent: { by: 'extension', value: '3001' } };
  void post({ ...call, type: 'call.started', at: new Date().toISOString() }).catch(() => undefined);
  const captureDir = path.join(agent.dataDir, 'spool', 'captures');
  await until(
    'the agent to be capturing',
    async () => (await fs.readdir(captureDir).catch(() => [])).length > 0,
  );
  const before = await locker.query(`select count(*)::int as n from recordings`);
  assert.equal(before.rows[0].n, 0, 'the capture runs and no recording row exists');
  await killHost();
  await locker.query('rollback');
  await locker.end();

  started = await startHost(args);
  void post({ ...call, type: 'call.ended', at: new Date().toISOString() }).catch(() => undefined);
  const recording = await until(
    'the recording to be re-created and stored',
    async () =>
      (
        await q<{ id: string; state: string; recovered_at: Date | null }>(
          `select id, state, recovered_at from recordings`,
        )
      ).find((r) => r.state === 'stored'),
    60_000,
  );
  assert.ok(recording.recovered_at, 'the recording is marked as recovered');
  await until('the agent spool to be empty', async () => {
    for (const dir of await fs.readdir(captureDir).catch(() => [])) {
      const files = await fs.readdir(path.join(captureDir, dir)).catch(() => []);
      if (files.some((f) => f.endsWith('.mp4'))) return false;
    }
    return true;
  });
  const segments = await q<{
    idx: number;
    state: string;
    storage_key: string;
    sha256: string;
    monitor_id: string;
  }>(
    'select idx, state, storage_key, sha256, monitor_id from segments where recording_id = $1 order by monitor_id, idx',
    [recording.id],
  );
  const captured = segments.length;
  const stored = segments.filter((s) => s.state === 'stored');
  const lost = segments.map((s, i) => s.idx !== i).filter(Boolean).length + (captured - stored.length);
  const duplicates = captured - new Set(segments.map((s) => `${s.monitor_id}/${s.idx}`)).size;
  console.log(
    `  host killed in the decision window: captured ${captured}, stored ${stored.length}, lost ${lost}, duplicates ${duplicates}`,
  );
  assert.ok(captured >= 1, 'at least one segment was captured');
  assert.equal(lost, 0, 'no segment lost (indexes contiguous from 0, all stored)');
  assert.equal(duplicates, 0);
  for (const s of stored)
    assert.equal(await sha256File(path.join(dataDir, 'recordings', ...s.storage_key.split('/'))), s.sha256);
  const calls = await q<{ id: string }>(
    `select c.id from calls c join call_recordings cr on cr.call_id = c.id where c.external_call_id = 'killed-call' and cr.recording_id = $1`,
    [recording.id],
  );
  assert.equal(calls.length, 1, 'the recording belongs to its call');
  const audit = await q<{ action: string }>(`select action from audit_log where target_id = $1`, [
    recording.id,
  ]);
  assert.deepEqual(
    audit.map((a) => a.action),
    ['recording.recovered'],
  );
});

test.run();
