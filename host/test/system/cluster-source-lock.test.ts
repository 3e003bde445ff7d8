import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTcpTestPeer, type TcpTestPeer } from '@deskrec/core/testing';
import { signedHeaders } from '@deskrec/pbx-webhook';
import pg from 'pg';
import { test } from 'uvu';
import { dropSchema, freshSchemaName, PG_URL, postgresUnavailable } from '../db-harness.js';
import { until, WEBHOOK_SECRET } from '../support/e2e-host.js';
import { AMI_SECRET } from '../support/lease-host-process.js';

const childScript = fileURLToPath(new URL('../support/lease-host-process.ts', import.meta.url));
const skip = await postgresUnavailable();

interface HostProcess {
  name: string;
  dataDir: string;
  url: string;
  child: ChildProcess;
  /** The Asterisk source's latest place on this host, as the process reports it. */
  pbx: { runsHere?: boolean; heldBy?: string };
}

let work: string;
let schema: string;
let ami: TcpTestPeer;
let db: pg.Client;
let credentials: { username: string; password: string };
const hosts = new Map<string, HostProcess>();
/** The most AMI sessions open at once, taken at each login: the property under test is that it stays 1. */
let maxOpen = 0;
let logins = 0;
const open = () => ami.connections.filter((c) => !c.closed).length;

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startHost(name: string): Promise<HostProcess> {
  const dataDir = path.join(work, name);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', childScript, dataDir, schema, String(await freePort()), String(ami.port), name],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let host: HostProcess | undefined;
    child.stdout!.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line) as {
          ready?: true;
          url: string;
          firstStart: typeof credentials | null;
          runsHere?: boolean;
          heldBy?: string;
        };
        if (message.ready) {
          if (message.firstStart) credentials = message.firstStart;
          host = { name, dataDir, url: message.url, child, pbx: {} };
          hosts.set(name, host);
          resolve(host);
        } else if (host) host.pbx = { runsHere: message.runsHere, heldBy: message.heldBy };
      }
    });
    child.once('exit', (code) => reject(new Error(`host ${name} exited ${code}: ${err.slice(-2000)}`)));
  });
}

function kill(host: HostProcess): Promise<void> {
  hosts.delete(host.name);
  return new Promise((resolve) => {
    if (host.child.exitCode !== null || host.child.signalCode !== null) return resolve();
    host.child.once('exit', () => resolve());
    host.child.kill('SIGKILL');
  });
}

async function api(host: HostProcess, route: string) {
  const login = await fetch(`${host.url}/api/auth/login`, {
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
  const response = await fetch(`${host.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field
  return { status: response.status, body: (await response.json()) as any };
}

/** Waits until exactly one running host runs the source and every other one names it as the holder. */
async function oneHolder(): Promise<HostProcess> {
  return until('one host to run the Asterisk source and the others to name it', async () => {
    const all = [...hosts.values()];
    const holders = all.filter((h) => h.pbx.runsHere);
    if (holders.length !== 1 || open() !== 1) return undefined;
    const holder = holders[0]!;
    return all.every((h) => h === holder || h.pbx.heldBy === holder.name) ? holder : undefined;
  });
}

test.before(async () => {
  if (skip) return;
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-source-lock-'));
  schema = freshSchemaName();
  ami = await startTcpTestPeer({
    greeting: 'Asterisk Call Manager/5.0.1\r\n',
    respond: (command) => {
      const id = /^ActionID: (.*)$/im.exec(command)?.[1] ?? '';
      if (/^Action: Login/im.test(command)) {
        logins++;
        maxOpen = Math.max(maxOpen, open());
        return command.includes(`Secret: ${AMI_SECRET}`)
          ? `Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`
          : `Response: Error\r\nActionID: ${id}\r\nMessage: Authentication failed\r\n\r\n`;
      }
      if (/^Action: Ping/im.test(command))
        return `Response: Success\r\nActionID: ${id}\r\nPing: Pong\r\n\r\n`;
      return `Response: Success\r\nActionID: ${id}\r\nMessage: Accepted\r\n\r\n`;
    },
  });
  db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
});

test.after(async () => {
  for (const host of [...hosts.values()]) await kill(host);
  await ami?.close();
  await db?.end().catch(() => undefined);
  if (schema && !skip) await dropSchema(schema).catch(() => undefined);
  if (work) await fs.rm(work, { recursive: true, force: true });
});

test('two hosts, one Asterisk source: one AMI session; the API names the holder; webhooks answer on both', async () => {
  if (skip) return;
  // One after the other: the first start creates the default tenant and admin.
  await startHost('alpha');
  await startHost('beta');
  const holder = await oneHolder();
  const standby = [...hosts.values()].find((h) => h !== holder)!;
  assert.equal(maxOpen, 1);

  const here = await api(holder, '/api/call-sources');
  assert.equal(here.status, 200);
  const pbxHere = here.body.items.find((s: { id: string }) => s.id === 'pbx');
  assert.equal(pbxHere.runsHere, true);
  assert.equal(pbxHere.heldBy, undefined);
  const there = await api(standby, '/api/call-sources');
  const pbxThere = there.body.items.find((s: { id: string }) => s.id === 'pbx');
  assert.equal(pbxThere.runsHere, false);
  assert.equal(pbxThere.heldBy.name, holder.name);
  assert.match(pbxThere.heldBy.id, /^host_[0-9a-f]{16}$/);
  for (const h of [holder, standby]) {
    const crm = (await api(h, '/api/call-sources')).body.items.find((s: { id: string }) => s.id === 'crm');
    assert.equal(crm.runsHere, true, `webhook source runs on ${h.name}`);
    const body = JSON.stringify({
      type: 'call.started',
      callId: `hook-${h.name}`,
      direction: 'inbound',
      agent: { by: 'extension', value: '1' },
      at: new Date().toISOString(),
    });
    const response = await fetch(`${h.url}/hooks/crm`, {
      method: 'POST',
      headers: signedHeaders(WEBHOOK_SECRET, body),
      body,
    });
    assert.ok(response.status >= 200 && response.status < 300, `webhook on ${h.name}: ${response.status}`);
  }
});

test('the holder killed with SIGKILL: the other host connects to the PBX', async () => {
  if (skip) return;
  const holder = await oneHolder();
  const before = logins;
  await kill(holder);
  const next = await oneHolder();
  assert.notEqual(next.name, holder.name);
  assert.ok(logins > before, 'a new AMI login happened');
  // The killed host comes back and waits behind the new holder.
  await startHost(holder.name);
  assert.equal((await oneHolder()).name, next.name);
  assert.equal(maxOpen, 1);
});

test("the holder's lock session terminated: it stops the source and the other takes over, never two", async () => {
  if (skip) return;
  const holder = await oneHolder();
  const hostId = (await fs.readFile(path.join(holder.dataDir, 'host-id'), 'utf8')).trim();
  const terminated = await db.query(
    `select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1`,
    [`deskrec ${hostId}`],
  );
  assert.equal(terminated.rows.length, 1, 'one lock session of the holder');
  const next = await until('another host to take the source over', async () => {
    const h = await oneHolder();
    return h.name !== holder.name ? h : undefined;
  });
  assert.equal(holder.pbx.runsHere, false);
  assert.equal(holder.pbx.heldBy, next.name);
  assert.equal(maxOpen, 1);
});

test.run();
