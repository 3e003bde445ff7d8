// System test (DESKREC_TEST_SYSTEM=1): the Linux single executable, installed as a service and recording a
// call against a real host. With systemd running it would be registered for real; in a container without it,
// the generated unit is checked and its ExecStart run with the unit's environment, as systemd would.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import { type RealHost, startRealHost, until } from './support/real-host.js';

const system = process.env.DESKREC_TEST_SYSTEM === '1';
const agentDir = fileURLToPath(new URL('..', import.meta.url));
const exe = path.join(agentDir, 'build', `${process.platform}-${process.arch}`, 'deskrec-agent');
let h: RealHost;
let root: string;
let child: ChildProcess | undefined;

test.before(async () => {
  if (!system) return;
  // .ci/run builds it first; a local run builds it here (about 10 s).
  if (!fs.existsSync(exe))
    execFileSync(process.execPath, [path.join(agentDir, 'scripts/build-executable.mjs')], {
      stdio: 'ignore',
    });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-installed-'));
  h = await startRealHost();
});
test.after(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await h?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** ExecStart and Environment= of a unit, unquoted the way systemd reads them. */
function readUnit(text: string): { argv: string[]; env: Record<string, string> } {
  const words = (line: string) =>
    [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]!).replace(/\\(.)/g, '$1'));
  const exec = text.split('\n').find((l) => l.startsWith('ExecStart='))!;
  const env = Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.startsWith('Environment='))
      .flatMap((l) => words(l.slice('Environment='.length)))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  return { argv: words(exec.slice('ExecStart='.length)), env };
}

test('the built executable installs as a service and records a call against a real host', async () => {
  if (!system) return;
  const stage = path.join(root, 'stage');
  const dataDir = path.join(root, 'data');
  const installOut = execFileSync(
    exe,
    [
      'install',
      '--server1',
      `127.0.0.1:${h.port('tcp')}`,
      '--tenant-token',
      h.token,
      '--use-ssl',
      '0',
      '--data-dir',
      dataDir,
    ],
    { env: { PATH: process.env.PATH!, DESTDIR: stage }, encoding: 'utf8' },
  );
  assert.match(installOut, /staged under .*; nothing registered\. The service runs: /);
  const unitFile = path.join(stage, 'etc/systemd/system/deskrec-agent.service');
  const configFile = path.join(stage, 'etc/deskrec-agent/agent.json');
  const unit = readUnit(fs.readFileSync(unitFile, 'utf8'));
  assert.deepEqual(unit.argv, [exe, 'run', '--config', configFile]);
  assert.equal(
    unit.env.FFMPEG_PATH,
    path.join(path.dirname(exe), 'ffmpeg'),
    'ffmpeg ships beside the executable',
  );
  assert.equal(fs.statSync(configFile).mode & 0o777, 0o600);
  const systemd = fs.existsSync('/run/systemd/system');

  // What an admin adds on a machine without a screen: ffmpeg's test source, and the login of the agent.
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      ...config,
      computerName: 'SEA-PC',
      capture: { use: 'ffmpeg', options: { input: 'lavfi', testMonitors: [{ width: 640, height: 360 }] } },
      upload: { minFreeDiskMb: 0, retryMaxSeconds: 2 },
    }),
    { mode: 0o600 },
  );
  const users = await h.api('POST', '/api/users', {
    name: 'Sea Agent',
    screenRecordingLogin: 'SEA\\agent1',
    seatLicence: true,
    extensions: ['2001'],
  });
  assert.equal(users.status, 201, JSON.stringify(users.body));
  const settings = await h.api('GET', '/api/settings');
  await h.api('PUT', '/api/settings', { ...settings.body, wrapUpSeconds: 0, maxFileSeconds: 10 });

  // As systemd would start it: the unit's command line and environment, nothing else of ours.
  let out = '';
  child = spawn(unit.argv[0]!, unit.argv.slice(1), {
    env: { PATH: '/usr/bin:/bin', ...unit.env, DESKREC_LOGIN: 'SEA\\agent1' },
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const pending = await until('the installed agent to show as pending', async () => {
    const list = await h.api('GET', '/api/workstations?state=pending');
    return list.body.items.find((w: { computerName: string }) => w.computerName === 'SEA-PC');
  });
  assert.match(out, /deskrec-agent ws_[0-9a-f]+ running; controller 127\.0\.0\.1:\d+/);
  await h.api('POST', '/api/workstations/authorize', { ids: [pending.id] });
  await until('the agent to know it is authorized', async () => {
    const file = path.join(dataDir, 'status.json');
    return fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).state === 'authorized';
  });

  const base = {
    callId: 'sea-call-1',
    direction: 'inbound',
    agent: { by: 'extension', value: '2001' },
    from: { number: '+15550199' },
  };
  assert.equal(await h.postCallEvent({ ...base, type: 'call.started', at: new Date().toISOString() }), 202);
  const db = h.host.services().database.db;
  await until('the capture to start', async () => {
    const row = await db.selectFrom('recordings').selectAll().executeTakeFirst();
    return row?.state === 'recording';
  });
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(await h.postCallEvent({ ...base, type: 'call.ended', at: new Date().toISOString() }), 202);
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
    .execute();
  assert.ok(segments.length >= 1);
  for (const s of segments) {
    assert.equal(s.state, 'stored');
    assert.ok(fs.statSync(path.join(h.dataDir, 'recordings', ...s.storage_key!.split('/'))).size > 0);
  }

  const status = JSON.parse(
    execFileSync(exe, ['status', '--data-dir', dataDir], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH! },
    }),
  );
  assert.equal(status.connected, true);
  assert.equal(status.login, 'SEA\\agent1');

  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0, `a clean stop on SIGTERM, as systemd stops it:\n${out}`);
  execFileSync(exe, ['uninstall', '--data-dir', dataDir], {
    env: { PATH: process.env.PATH!, DESTDIR: stage },
  });
  assert.equal(fs.existsSync(unitFile), false);
  if (systemd)
    console.log(
      'systemd is running here, but the test stages the unit under DESTDIR instead of registering it',
    );
});

test('the npm package installs with npm install -g and its command runs the agent', async () => {
  if (!system) return;
  const tarball = execFileSync(
    process.execPath,
    [path.join(agentDir, 'scripts/pack-npm.mjs'), '--out', path.join(root, 'pack')],
    {
      encoding: 'utf8',
    },
  ).trim();
  const entries = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
  assert.deepEqual(entries, [
    'package/README.md',
    'package/bin/deskrec-agent.cjs',
    'package/bin/deskrec-agent.cjs.LEGAL.txt',
    'package/package.json',
  ]);
  const prefix = path.join(root, 'global');
  execFileSync(
    'npm',
    ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { stdio: 'ignore' },
  );
  const bin = path.join(prefix, 'bin', 'deskrec-agent');
  assert.match(execFileSync(bin, ['--help'], { encoding: 'utf8' }), /deskrec-agent install --server1/);
  const config = path.join(root, 'npm-agent.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      controller: { primary: `127.0.0.1:${h.port('tcp')}` },
      tenantToken: h.token,
      dataDir: path.join(root, 'npm-data'),
      capture: { use: 'ffmpeg', options: { input: 'lavfi', testMonitors: [{ width: 320, height: 240 }] } },
      upload: { minFreeDiskMb: 0 },
    }),
  );
  let doctor = '';
  try {
    doctor = execFileSync(bin, ['doctor', '--config', config], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH! },
    });
  } catch (error) {
    doctor = (error as { stdout: string }).stdout;
  }
  assert.match(
    doctor,
    /\[ ok \] capture plugin: ffmpeg .* from @ffmpeg-installer\/ffmpeg \(.*global\/lib\/node_modules\/deskrec-agent\//,
  );
  assert.match(doctor, /\[ ok \] test capture: 2 s recorded/);
  assert.match(doctor, /\[ ok \] controller primary: 127\.0\.0\.1:\d+ accepts TCP connections/);
});

test.run();
