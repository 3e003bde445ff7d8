import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHost } from '../src/app/create-host.js';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/load-config.js';
import { quiet } from './api-harness.js';
import { tempDir } from './db-harness.js';

const BIN = fileURLToPath(new URL('../src/bin/deskrec-host.ts', import.meta.url));
const test = suite('host: start, restart, stop, configuration errors, command line');

async function configIn(dir: string, yaml: string, name = 'deskrec.yaml') {
  const file = join(dir, name);
  const base = [
    'dataDir: ./data',
    'web: { host: 127.0.0.1, port: 0 }',
    'controller: { host: 127.0.0.1, ephemeralPorts: true }',
    'log: { level: 1 }',
  ];
  await writeFile(file, `${base.join('\n')}\n${yaml}`);
  return file;
}

test('second start reuses the data: no new credentials, old ones still work', async () => {
  const dir = await tempDir('deskrec-host-');
  try {
    const config = loadConfig({ file: await configIn(dir.path, ''), env: {} });
    const first = createHost(config, { stdout: quiet });
    const started = await first.start();
    const creds = started.firstStart!;
    assert.ok(creds);
    await first.stop();
    await first.stop();

    const again = createHost(config, { stdout: quiet });
    const restarted = await again.start();
    try {
      assert.is(restarted.firstStart, undefined);
      const res = await fetch(`${restarted.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: creds.password }),
      });
      assert.is(res.status, 200);
      assert.ok(await again.services().repos.directory.findTenantByToken(creds.tenantToken));
      assert.equal(
        [...again.services().storageKinds.keys()],
        ['local', 'ftp', 'sftp', 's3'],
        'default kinds: every installed deskrec storage plugin',
      );
    } finally {
      await again.stop();
    }
  } finally {
    await dir.remove();
  }
});

test('a missing storage plugin stops start-up with the file and key named', async () => {
  const dir = await tempDir('deskrec-host-');
  try {
    const file = await configIn(dir.path, 'plugins: { storage: [{ use: local }, { use: dropbox }] }\n');
    const host = createHost(loadConfig({ file, env: {} }), { stdout: quiet });
    const error = await host.start().catch((e: unknown) => e);
    assert.instance(error, ConfigError);
    assert.match(
      (error as Error).message,
      /^deskrec\.yaml: Plugin "dropbox" \(plugins\.storage\[1\]\.use\) was not found/,
    );
    assert.throws(() => host.services(), /not started/);
  } finally {
    await dir.remove();
  }
});

test('invalid plugin options name the option path', async () => {
  const dir = await tempDir('deskrec-host-');
  try {
    const file = await configIn(
      dir.path,
      'plugins: { auth: { use: token, options: { minSecretLength: 1 } } }\n',
      'auth.yaml',
    );
    const error = await createHost(loadConfig({ file, env: {} }), { stdout: quiet })
      .start()
      .catch((e: unknown) => e);
    assert.instance(error, ConfigError);
    assert.match((error as Error).message, 'auth.yaml: ');
    assert.match((error as Error).message, 'plugins.auth.options');
    assert.match((error as Error).message, 'minSecretLength: Too small');
  } finally {
    await dir.remove();
  }
});

test('a web port in use gives a message that says what to change', async () => {
  const dir = await tempDir('deskrec-host-');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const port = (blocker.address() as { port: number }).port;
    const config = loadConfig({
      file: await configIn(dir.path, ''),
      env: { DESKREC_WEB_PORT: String(port) },
    });
    const error = await createHost(config, { stdout: quiet })
      .start()
      .catch((e: unknown) => e);
    assert.match((error as Error).message, `port ${port} on 127.0.0.1 is in use`);
    assert.match((error as Error).message, 'web.port');
  } finally {
    blocker.close();
    await dir.remove();
  }
});

function runBin(args: string[], env: Record<string, string> = {}) {
  return spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function outputOf(child: ReturnType<typeof runBin>) {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

test('deskrec-host start: prints where to sign in once, serves health, stops cleanly on SIGTERM', async () => {
  const dir = await tempDir('deskrec-bin-');
  try {
    const file = await configIn(dir.path, '');
    const child = runBin(['start', '--config', file]);
    let stdout = '';
    const signIn = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        stdout += d;
        const match = /Sign in at:\s+(\S+)/.exec(stdout);
        if (match && stdout.includes('Screen-recording token')) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stdout}`)));
    });
    const url = await signIn;
    assert.match(stdout, /Username:\s+admin/);
    assert.match(stdout, /Password:\s+\S{16}/);
    const health = await fetch(`${url}/api/health`);
    assert.is(health.status, 200);
    assert.is(((await health.json()) as { status: string }).status, 'ok');
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.is(code, 0);
    assert.match(stdout, 'Received SIGTERM; stopping');
  } finally {
    await dir.remove();
  }
});

test('deskrec-host --help, unknown command, bad configuration', async () => {
  const help = await outputOf(runBin(['--help']));
  assert.is(help.code, 0);
  assert.match(help.stdout, 'Usage: deskrec-host start [--config <file>]');
  const unknown = await outputOf(runBin(['serve']));
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, 'Unknown command "serve"');
  const bad = await outputOf(runBin(['start'], { DESKREC_WEB_PORT: 'abc' }));
  assert.is(bad.code, 1);
  assert.match(bad.stderr, 'configuration error');
  assert.match(bad.stderr, 'DESKREC_WEB_PORT (web.port): expected a number');
  assert.not.match(bad.stderr, '    at ', 'no stack trace for configuration errors');
});

test.run();
