/**
 * Run by docs/examples/verify-storage-webdav.sh after it installed the packed WebDAV example into the repo's
 * node_modules as `@acme/deskrec-storage-webdav`: a host loads it by that scoped package name (through
 * startTestHost, as the plugin's author would), offers it as a storage kind, and Test connection reaches a real
 * WebDAV server. Not part of `npm test` (the package is not installed there).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHost, type TestHost } from '@deskrec/core/testing';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runPluginsCli } from '../../src/cli/plugins-cli.js';

const PACKAGE = '@acme/deskrec-storage-webdav';
const script = process.env.DESKREC_WEBDAV_SERVER_SCRIPT;
if (!script) throw new Error('DESKREC_WEBDAV_SERVER_SCRIPT names the example’s test/server-process.mjs');

const root = await mkdtemp(join(tmpdir(), 'deskrec-webdav-e2e-'));
const server = spawn(process.execPath, [script, root, 'recorder', 'e2e-password'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve) =>
  server.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
);
let h: TestHost;

test.before(async () => {
  h = await startTestHost({
    plugin: PACKAGE,
    id: 'webdav',
    options: { url: `http://127.0.0.1:${port}/`, username: 'recorder', password: 'e2e-password' },
  });
});

test.after(async () => {
  await h?.stop();
  server.stdin.end();
  await new Promise((resolve) => server.once('exit', resolve));
  await rm(root, { recursive: true, force: true });
});

test('the host offers the package as storage kind "webdav", its password a secret', async () => {
  const kinds = await h.api('GET', '/api/storage-kinds');
  const webdav = kinds.body.items.find((k: { kind: string }) => k.kind === 'webdav');
  assert.ok(webdav, JSON.stringify(kinds.body));
  assert.is(webdav.plugin, 'storage-webdav');
  assert.equal(webdav.secrets, ['password']);
  const target = await h.api('GET', `/api/storage-targets/${h.storageTargetId}`);
  assert.is.not(target.body.options?.password, 'e2e-password', 'the password is never answered in full');
});

test('Test connection through the admin API writes and deletes a probe on the WebDAV server', async () => {
  const check = await h.api('POST', `/api/storage-targets/${h.storageTargetId}/test`);
  assert.is(check.status, 200);
  assert.is(check.body.ok, true, check.body.message);
  assert.match(check.body.message, `127.0.0.1:${port}`);
});

test('a target with a wrong password fails Test connection with the server’s answer', async () => {
  const created = await h.api('POST', '/api/storage-targets', {
    name: 'Wrong password',
    kind: 'webdav',
    options: { url: `http://127.0.0.1:${port}/`, username: 'recorder', password: 'not-it' },
  });
  assert.is(created.status, 201, JSON.stringify(created.body));
  const check = await h.api('POST', `/api/storage-targets/${created.body.id}/test`);
  assert.is(check.body.ok, false);
  assert.match(check.body.message, '401');
});

test('deskrec-host plugins lists the scoped package a config names, with its options', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'deskrec-webdav-cli-'));
  try {
    const file = join(dir, 'deskrec.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      file,
      JSON.stringify({ plugins: { storage: [{ use: 'local' }, { use: PACKAGE, id: 'webdav' }] } }),
    );
    let text = '';
    const code = await runPluginsCli({
      file,
      env: {},
      format: 'json',
      out: { write: (t: string) => (text += t) },
    });
    assert.is(code, 0, text);
    const listed = JSON.parse(text).plugins.find((p: { package: string }) => p.package === PACKAGE);
    assert.is(listed.source, 'plugins.storage[1]');
    assert.equal(
      listed.options.map((o: { key: string }) => o.key),
      ['url', 'username', 'password', 'timeoutMs'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
