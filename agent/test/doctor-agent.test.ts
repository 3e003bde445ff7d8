import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { generate } from 'selfsigned';
import { test } from 'uvu';
import { type CheckLine, formatCheckLines, runAgentDoctor } from '../src/doctor/index.js';

let root: string;
const servers: net.Server[] = [];

test.before(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-agent-doctor-'));
});
test.after(async () => {
  for (const server of servers) await new Promise((r) => server.close(r));
  await fs.rm(root, { recursive: true, force: true });
});

async function listen<T extends net.Server>(server: T): Promise<number> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

let n = 0;
/** A config file in its own data folder; `extra` is merged over a working lavfi setup. */
async function setup(extra: Record<string, unknown> = {}, controller: Record<string, unknown> = {}) {
  const dataDir = path.join(root, `agent-${++n}`);
  await fs.mkdir(dataDir, { mode: 0o700 });
  const file = path.join(dataDir, 'agent.json');
  await fs.writeFile(
    file,
    JSON.stringify({
      controller: { primary: `127.0.0.1:${await closedPort()}`, ...controller },
      tenantToken: 'doctor-test-token-0123456789',
      dataDir,
      capture: { use: 'ffmpeg', options: { input: 'lavfi', testMonitors: [{ width: 320, height: 240 }] } },
      upload: { minFreeDiskMb: 0 },
      ...extra,
    }),
  );
  return { file, dataDir };
}

function line(lines: CheckLine[], check: string): CheckLine {
  const found = lines.find((l) => l.check === check);
  assert.ok(found, `a "${check}" line in:\n${formatCheckLines(lines)}`);
  return found;
}

test('config: a wrong value fails naming the field and stops the other checks', async () => {
  const { file } = await setup({ tenantToken: 'short' });
  const lines = await runAgentDoctor({ file, env: {} });
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.status, 'fail');
  assert.match(lines[0]!.message, /tenantToken/);
});

test('capture: the plugin describes its ffmpeg, lists monitors and a 2 s test capture decodes', async () => {
  const { file } = await setup();
  const lines = await runAgentDoctor({ file, env: {} });
  assert.match(line(lines, 'capture plugin').message, /^ffmpeg .* input lavfi/);
  assert.equal(line(lines, 'monitors').message, '0: 320x240 (primary)');
  const capture = line(lines, 'test capture');
  assert.equal(capture.status, 'ok', formatCheckLines(lines));
  assert.match(capture.message, /2 s recorded into 1 file\(s\), \d+ bytes, decodes/);
});

test('capture: a missing ffmpeg binary fails with how to fix it', async () => {
  const { file } = await setup({
    capture: { use: 'ffmpeg', options: { input: 'lavfi', ffmpegPath: path.join(root, 'no-such-ffmpeg') } },
  });
  const plugin = line(await runAgentDoctor({ file, env: {} }), 'capture plugin');
  assert.equal(plugin.status, 'fail');
  assert.match(plugin.fix!, /install ffmpeg/);
});

test('data folder and identity: an identity others can read fails, an owner-only one passes', async () => {
  const { file, dataDir } = await setup();
  const identity = path.join(dataDir, 'identity.json');
  await fs.writeFile(
    identity,
    JSON.stringify({
      workstationId: 'ws_0123456789abcdef',
      workstationSecret: 'x'.repeat(43),
      createdAt: '',
    }),
    { mode: 0o644 },
  );
  await fs.chmod(identity, 0o644);
  let lines = await runAgentDoctor({ file, env: {}, skipTestCapture: true });
  assert.equal(line(lines, 'data folder').status, 'ok');
  const open = line(lines, 'identity file');
  assert.equal(open.status, 'fail');
  assert.equal(open.fix, `chmod 600 ${identity}`);
  await fs.chmod(identity, 0o600);
  await fs.chmod(dataDir, 0o777);
  lines = await runAgentDoctor({ file, env: {}, skipTestCapture: true });
  assert.match(line(lines, 'identity file').message, /workstation ws_0123456789abcdef, owner-only/);
  assert.equal(line(lines, 'data folder').status, 'warn', 'a world-writable data folder is flagged');
});

test('free disk: a floor above the free space fails, zero passes', async () => {
  const low = await setup({ upload: { minFreeDiskMb: 1024 ** 3 } });
  assert.equal(
    line(await runAgentDoctor({ file: low.file, env: {}, skipTestCapture: true }), 'free disk').status,
    'fail',
  );
  const fine = await setup();
  assert.equal(
    line(await runAgentDoctor({ file: fine.file, env: {}, skipTestCapture: true }), 'free disk').status,
    'ok',
  );
});

test('controller: a listening primary passes, an unreachable secondary fails', async () => {
  const port = await listen(net.createServer((s) => s.destroy()));
  const { file } = await setup(
    {},
    { primary: `127.0.0.1:${port}`, secondary: `127.0.0.1:${await closedPort()}` },
  );
  const lines = await runAgentDoctor({ file, env: {}, skipTestCapture: true });
  assert.equal(line(lines, 'controller primary').status, 'ok');
  const secondary = line(lines, 'controller secondary');
  assert.equal(secondary.status, 'fail');
  assert.match(secondary.message, /cannot be reached: .*ECONNREFUSED/);
});

test('controller TLS: the fingerprint is shown and compared with the pin', async () => {
  const pems = await generate([{ name: 'commonName', value: 'doctor.test' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
  } as never);
  const port = await listen(
    tls.createServer({ key: pems.private, cert: pems.cert }, (s) =>
      s.once('data', () => s.end('HTTP/1.1 426 Upgrade Required\r\n\r\n')),
    ),
  );
  const fingerprint = new (await import('node:crypto')).X509Certificate(pems.cert).fingerprint256;

  const unpinned = await setup({}, { primary: `127.0.0.1:${port}`, tls: true });
  const first = line(
    await runAgentDoctor({ file: unpinned.file, env: {}, skipTestCapture: true }),
    'controller primary',
  );
  assert.equal(first.status, 'warn');
  assert.match(first.message, new RegExp(`certificate ${fingerprint}; nothing pinned yet`));

  const pinned = await setup({}, { primary: `127.0.0.1:${port}`, tls: true, fingerprint });
  const match = line(
    await runAgentDoctor({ file: pinned.file, env: {}, skipTestCapture: true }),
    'controller primary',
  );
  assert.equal(match.status, 'ok');
  assert.match(match.message, /matches the pin \(controller\.fingerprint\)/);

  const wrong = await setup({}, { primary: `127.0.0.1:${port}`, tls: true });
  await fs.writeFile(path.join(wrong.dataDir, 'controller-cert.pin'), `${'AB:'.repeat(31)}AB\n`);
  const mismatch = line(
    await runAgentDoctor({ file: wrong.file, env: {}, skipTestCapture: true }),
    'controller primary',
  );
  assert.equal(mismatch.status, 'fail');
  assert.match(mismatch.message, /does not match the pin/);
});

test('upload url: read from status.json, reachable passes and unreachable fails', async () => {
  const port = await listen(http.createServer((_req, res) => res.writeHead(404).end()));
  const reachable = await setup();
  await fs.writeFile(
    path.join(reachable.dataDir, 'status.json'),
    JSON.stringify({ controller: '127.0.0.1:6091', uploadUrl: `http://{controller-host}:${port}` }),
  );
  const up = line(
    await runAgentDoctor({ file: reachable.file, env: {}, skipTestCapture: true }),
    'upload url',
  );
  assert.equal(up.status, 'ok');
  assert.equal(up.message, `http://127.0.0.1:${port} answers (HTTP 404)`);

  const unreachable = await setup();
  await fs.writeFile(
    path.join(unreachable.dataDir, 'status.json'),
    JSON.stringify({ uploadUrl: `http://127.0.0.1:${await closedPort()}` }),
  );
  const down = line(
    await runAgentDoctor({ file: unreachable.file, env: {}, skipTestCapture: true }),
    'upload url',
  );
  assert.equal(down.status, 'fail');
  assert.match(down.message, /cannot be reached: .*ECONNREFUSED/);

  const none = await setup();
  assert.match(
    line(await runAgentDoctor({ file: none.file, env: {}, skipTestCapture: true }), 'upload url').message,
    /^not known yet/,
  );
});

test.run();
