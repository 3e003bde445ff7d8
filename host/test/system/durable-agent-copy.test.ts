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
let agentDir: string | undefined;
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
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-durable-copy-'));
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
  if (agentDir && !process.env.DESKREC_TEST_KEEP) await fs.rm(agentDir, { recursive: true, force: true });
  if (work && !process.env.DESKREC_TEST_KEEP) await fs.rm(work, { recursive: true, force: true });
});

const q = async <T>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as T[];

interface SegmentRow {
  idx: number;
  monitor_id: string;
  state: string;
  sha256: string;
  storage_key: string | null;
}

/** The agent's spool: segment files, and which of them are marked as received by a host. */
async function agentSpool(dir: string) {
  const base = path.join(dir, 'spool', 'captures');
  const files: string[] = [];
  const sent: string[] = [];
  for (const capture of await fs.readdir(base).catch(() => [])) {
    for (const f of await fs.readdir(path.join(base, capture)).catch(() => [])) {
      if (f.endsWith('.mp4')) files.push(f);
      if (f.endsWith('.mp4.sent')) sent.push(f.slice(0, -'.sent'.length));
    }
  }
  return { files: files.sort(), sent: sent.sort() };
}

test('segments a host received but never stored survive its SIGKILL and a wiped spool: the agent kept them, through its own restart', async () => {
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
  const post = async (event: Record<string, unknown>) => {
    const body = JSON.stringify(event);
    const response = await fetch(`${started.url}/hooks/crm`, {
      method: 'POST',
      headers: signedHeaders(WEBHOOK_SECRET, body),
      body,
    });
    await response.arrayBuffer();
    return response.status;
  };
  db = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await db.connect();

  // The storage target is down: its root is a plain file, so every store job fails and files wait.
  const root = path.join(work, 'nas');
  await fs.writeFile(root, 'the NAS share is not mounted');
  const target = await api('POST', '/api/storage-targets', { name: 'NAS', kind: 'local', options: { root } });
  assert.equal(target.status, 201, JSON.stringify(target.body));
  const user = await api('POST', '/api/users', {
    name: 'Copy Agent',
    screenRecordingLogin: 'E2E\\copy',
    seatLicence: true,
    extensions: ['4001'],
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  const settings = await api('GET', '/api/settings');
  const put = await api('PUT', '/api/settings', {
    ...settings.body,
    maxFileSeconds: 10,
    storageTargetId: target.body.id,
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const agentOptions = { controllerPort: tcpPort, token: credentials.tenantToken, login: 'e2e\\copy' };
  agent = await startAgentProcess(agentOptions);
  agentDir = agent.dataDir;
  const pending = await until('the agent to appear as pending', async () => {
    const list = await api('GET', '/api/workstations?state=pending');
    return list.body.items[0];
  });
  await api('POST', '/api/workstations/authorize', { ids: [pending.id] });

  const call = { callId: 'copy-call', direction: 'inbound', agent: { by: 'extension', value: '4001' } };
  assert.equal(await post({ ...call, type: 'call.started', at: new Date().toISOString() }), 202);
  await until(
    'two segments received by the host',
    async () => (await q<SegmentRow>(`select state from segments where state = 'spooled'`)).length >= 2,
  );
  assert.equal(await post({ ...call, type: 'call.ended', at: new Date().toISOString() }), 202);
  const received = await until(
    'every segment of the ended recording received, none stored',
    async () => {
      const recording = (await q<{ id: string; state: string }>('select id, state from recordings'))[0];
      if (recording?.state !== 'uploading') return undefined;
      const rows = await q<SegmentRow>('select idx, monitor_id, state, sha256 from segments order by idx');
      const spool = await agentSpool(agentDir!);
      return (
        rows.length > 0 &&
        rows.every((r) => r.state === 'spooled') &&
        spool.sent.length === rows.length &&
        rows
      );
    },
    90_000,
  );
  const captured = received.length;

  // (3) The agent keeps every file the host received, marked, and so it stays through a restart.
  const kept = await agentSpool(agentDir);
  assert.equal(kept.files.length, captured, 'the agent still holds every segment the host did not store');
  assert.deepEqual(kept.sent, kept.files, 'each is marked as received by the host, not to upload again');
  await agent.kill('SIGTERM');
  // The stopped agent's last status must not pass for the restarted one's.
  await fs.rm(path.join(agentDir, 'status.json'), { force: true });
  agent = await startAgentProcess({ ...agentOptions, dataDir: agentDir });
  const status = await until('the restarted agent to report its spool', async () => {
    const raw = await fs.readFile(path.join(agentDir!, 'status.json'), 'utf8').catch(() => '');
    const parsed = raw ? (JSON.parse(raw) as { connected: boolean; awaitingStorage: number }) : undefined;
    return parsed?.connected && parsed;
  });
  assert.equal(status.awaitingStorage, captured, 'after its restart the agent still awaits storage of all');
  assert.deepEqual(await agentSpool(agentDir), kept, 'nothing deleted, nothing uploaded again');

  // (2) The host that holds them dies, and its spool with it; the storage target comes back.
  await killHost();
  await fs.rm(path.join(dataDir, 'spool'), { recursive: true, force: true });
  await fs.rm(root);
  await fs.mkdir(root);
  // The failed store jobs back off for minutes: due now, so the test need not wait for the backoff.
  await db.query(
    `update jobs set run_after = now(), locked_until = now() - interval '1 second' where kind = 'store-segment' and state <> 'done'`,
  );
  started = await startHost(args);
  const stored = await until(
    "every segment stored again from the agent's copy",
    async () => {
      const rows = await q<SegmentRow>(
        'select idx, monitor_id, state, sha256, storage_key from segments order by monitor_id, idx',
      );
      return rows.length >= captured && rows.every((r) => r.state === 'stored') && rows;
    },
    120_000,
  );
  await until('the agent spool to be empty', async () => (await agentSpool(agentDir!)).files.length === 0);
  const lost = stored.map((s, i) => s.idx !== i).filter(Boolean).length + (captured - stored.length);
  const duplicates = stored.length - new Set(stored.map((s) => `${s.monitor_id}/${s.idx}`)).size;
  console.log(
    `  host spool lost before storing: captured ${captured}, stored ${stored.length}, lost ${lost}, duplicates ${duplicates}`,
  );
  assert.ok(captured >= 2);
  assert.equal(lost, 0);
  assert.equal(duplicates, 0);
  for (const s of stored)
    assert.equal(await sha256File(path.join(root, ...s.storage_key!.split('/'))), s.sha256);
  const recording = (await q<{ state: string }>('select state from recordings'))[0];
  assert.equal(recording?.state, 'stored');
});

test.run();
