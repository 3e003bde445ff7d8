import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { test } from 'uvu';
import { createHost } from '../src/app/create-host.js';
import { loadConfig } from '../src/config/load-config.js';
import { checkCertificates } from '../src/doctor/certificate-check.js';
import { checkFreeDisk, checkWritable } from '../src/doctor/disk-checks.js';
import { type CheckLine, formatCheckLines, runHostDoctor } from '../src/doctor/index.js';
import { startE2eHost } from './support/e2e-host.js';

const quiet = { write(_line: string) {} };
let root: string;

test.before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-doctor-'));
});
test.after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function configFile(name: string, lines: string[]): Promise<string> {
  const file = path.join(root, `${name}.yaml`);
  await fs.writeFile(file, lines.join('\n'));
  return file;
}

function line(lines: CheckLine[], check: string): CheckLine {
  const found = lines.find((l) => l.check === check);
  assert.ok(found, `a "${check}" line in:\n${formatCheckLines(lines)}`);
  return found;
}

async function pair(days: { from: number; to: number }, keyOf?: string) {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'doctor.test' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now + days.from * 86_400_000),
    notAfterDate: new Date(now + days.to * 86_400_000),
  } as never);
  return { key: keyOf ?? pems.private, cert: pems.cert };
}

test('config: a wrong value fails with the ConfigError text and stops the other checks', async () => {
  const file = await configFile('bad', ['web: { port: 70000 }']);
  const lines = await runHostDoctor({ file, env: {} });
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.status, 'fail');
  assert.match(lines[0]!.message, /web\.port: expected a number from 1 to 65535.*got 70000/);
});

test('a fresh config passes every check without creating the data folder', async () => {
  const dataDir = path.join(root, 'fresh');
  const [web, tcp, tls] = [await freePort(), await freePort(), await freePort()];
  const file = await configFile('fresh', [
    `dataDir: ${dataDir}`,
    `web: { host: 127.0.0.1, port: ${web} }`,
    `controller: { tcpPort: ${tcp}, tlsPort: ${tls} }`,
  ]);
  const lines = await runHostDoctor({ file, env: {} });
  assert.deepEqual(
    lines.filter((l) => l.status !== 'ok'),
    [],
    formatCheckLines(lines),
  );
  assert.equal(line(lines, 'port web').message, `127.0.0.1:${web} is free`);
  await assert.rejects(fs.stat(dataDir), 'the doctor only looks');
});

test('ports: one taken by another program fails with how to fix it', async () => {
  // Accepts connections and never answers, like a program that is not a deskrec host.
  const sockets = new Set<net.Socket>();
  const other = net.createServer((socket) => sockets.add(socket));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  const { port } = other.address() as net.AddressInfo;
  try {
    const file = await configFile('taken', [
      `dataDir: ${path.join(root, 'taken')}`,
      `web: { host: 127.0.0.1, port: ${port} }`,
    ]);
    const web = line(await runHostDoctor({ file, env: {} }), 'port web');
    assert.equal(web.status, 'fail');
    assert.match(web.message, /in use by another program/);
    assert.match(web.fix!, /web\.port or DESKREC_WEB_PORT/);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => other.close(r));
  }
});

test('a running host: its ports are recognised and its embedded database is not opened twice', async () => {
  const h = await startE2eHost();
  try {
    const status = h.host.runtime().controller.status().listening;
    const file = await configFile('running', [
      `dataDir: ${h.dataDir}`,
      `web: { host: 127.0.0.1, port: ${h.started.port} }`,
      // The e2e host runs without the TLS listener (port 0).
      `controller: { host: 127.0.0.1, tcpPort: ${status.tcp!.port}, tlsPort: 0 }`,
    ]);
    const lines = await runHostDoctor({ file, env: {} });
    assert.equal(line(lines, 'port controller tls').message, 'switched off (0)');
    for (const name of ['port web', 'port controller tcp']) {
      assert.equal(line(lines, name).status, 'ok', formatCheckLines(lines));
      assert.match(line(lines, name).message, /served by a running deskrec host/);
    }
    assert.match(line(lines, 'database').message, /in use by the running host, which reports it healthy/);
    assert.equal(line(lines, 'certificates').status, 'ok', 'the generated pair parses and matches');
  } finally {
    await h.stop();
  }

  // Stopped: the doctor opens the database itself, reads the migrations and checks each tenant's targets.
  const config = loadConfig({ file: path.join(root, 'running.yaml'), env: {} });
  const host = createHost(config, { stdout: quiet });
  await host.start();
  const { repos } = host.services();
  const tenant = await repos.tenants.bySlug('default');
  const blocker = path.join(root, 'not-a-folder');
  await fs.writeFile(blocker, 'x');
  await repos.storageTargets.create(tenant!.id, {
    name: 'broken',
    kind: 'local',
    options: { root: path.join(blocker, 'recordings') },
  });
  await host.stop();
  const lines = await runHostDoctor({ file: path.join(root, 'running.yaml'), env: {} });
  const database = line(lines, 'database');
  assert.equal(database.status, 'ok');
  assert.match(database.message, /all \d+ migrations applied/);
  assert.equal(line(lines, `storage default-local (${h.dataDir}/recordings)`).status, 'ok');
  const broken = line(lines, 'storage default/broken (local)');
  assert.equal(broken.status, 'fail', formatCheckLines(lines));
});

test('database: an unreachable PostgreSQL fails and hides the password', async () => {
  const port = await freePort();
  const file = await configFile('pg', [
    `dataDir: ${path.join(root, 'pg')}`,
    'web: { port: 0 }',
    `database: { url: "postgres://rec:s3cret@127.0.0.1:${port}/deskrec" }`,
  ]);
  const database = line(await runHostDoctor({ file, env: {} }), 'database');
  assert.equal(database.status, 'fail');
  assert.match(database.message, /postgres:\/\/rec:\*\*\*@127\.0\.0\.1/);
  assert.doesNotMatch(database.message, /s3cret/);
});

test('certificates: matching, expired, not yet valid, foreign key, one file missing, not PEM', async () => {
  const dir = path.join(root, 'tls');
  await fs.mkdir(dir);
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  const write = async (p: { key: string; cert: string }) => {
    await fs.writeFile(keyFile, p.key);
    await fs.writeFile(certFile, p.cert);
  };

  assert.equal((await checkCertificates(keyFile, certFile)).status, 'ok', 'none yet: generated at start');
  await write(await pair({ from: -1, to: 365 }));
  const good = await checkCertificates(keyFile, certFile);
  assert.equal(good.status, 'ok');
  assert.match(good.message, /doctor\.test.*key matches, SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}/);

  await write(await pair({ from: -1, to: 10 }));
  assert.equal((await checkCertificates(keyFile, certFile)).status, 'warn', 'expires within 30 days');
  await write(await pair({ from: -10, to: -1 }));
  assert.match((await checkCertificates(keyFile, certFile)).message, /has expired/);
  await write(await pair({ from: 2, to: 10 }));
  assert.match((await checkCertificates(keyFile, certFile)).message, /not valid yet/);
  const other = await pair({ from: -1, to: 365 });
  await write(await pair({ from: -1, to: 365 }, other.key));
  const foreign = await checkCertificates(keyFile, certFile);
  assert.equal(foreign.status, 'fail');
  assert.match(foreign.message, /does not belong to/);
  await fs.writeFile(certFile, 'not a certificate');
  assert.match((await checkCertificates(keyFile, certFile)).message, /is not a PEM certificate/);
  await fs.rm(keyFile);
  const missing = await checkCertificates(keyFile, certFile);
  assert.equal(missing.status, 'fail');
  assert.match(missing.message, /key\.pem is missing but .*cert\.pem exists/);
});

test('data folder and disk: an unwritable place and a floor above the free space fail', async () => {
  const file = path.join(root, 'plain-file');
  await fs.writeFile(file, 'x');
  const blocked = await checkWritable('data folder', path.join(file, 'data'));
  assert.equal(blocked.status, 'fail');
  assert.match(blocked.message, /is not writable \(ENOTDIR\)/);
  assert.equal((await checkWritable('data folder', root)).status, 'ok');

  const huge = 1024 ** 6;
  assert.equal((await checkFreeDisk('free disk', root, { failBytes: huge, warnBytes: huge })).status, 'fail');
  assert.equal((await checkFreeDisk('free disk', root, { failBytes: 0, warnBytes: huge })).status, 'warn');
  assert.equal((await checkFreeDisk('free disk', root, { failBytes: 0, warnBytes: 0 })).status, 'ok');
});

test.run();
