import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { isStorageError, StorageError } from '@deskrec/core';
import { bytesOf, generatedBytes } from '@deskrec/core/testing';
import { suite } from 'uvu';
import { startFtpServer } from './support/ftp-server.js';
import { createTarget } from './support/targets.js';

const MiB = 1024 * 1024;
const test = suite('storage-ftp failures');
const base = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-ftp-failures-'));
// Running as root, file permissions would not apply to an in-process server: run it as "nobody" then.
const asRoot = process.getuid?.() === 0;
const owner = asRoot ? { uid: 65534, gid: 65534 } : {};
await fs.chmod(base, 0o755);
if (asRoot) await fs.chown(base, 65534, 65534);
const server = await startFtpServer({ root: base, ...owner });
const settings = {
  host: '127.0.0.1',
  port: server.port,
  user: server.user,
  password: server.password,
  secure: 'none' as const,
};

async function rejection(work: () => Promise<unknown>): Promise<StorageError> {
  try {
    await work();
  } catch (error) {
    assert.ok(isStorageError(error), `expected a StorageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

test('a wrong password is "auth", names user and host, never the password', async () => {
  const target = createTarget({ ...settings, password: 'wrong-secret-123', root: '/auth' });
  try {
    const error = await rejection(() => target.put('a.bin', Readable.from([Buffer.from('x')])));
    assert.equal(error.code, 'auth');
    assert.equal(error.retryable, false);
    assert.match(error.message, /"rec"/);
    assert.match(error.message, /127\.0\.0\.1/);
    assert.ok(!error.message.includes('wrong-secret-123'), error.message);
    const check = await target.check();
    assert.equal(check.ok, false);
    assert.match(check.message, /Login as "rec" on 127\.0\.0\.1:\d+ failed: 530/);
    assert.ok(!check.message.includes('wrong-secret-123'), check.message);
  } finally {
    await target.close();
  }
});

test('a read-only root folder is "permission" with its path', async () => {
  const readonly = path.join(base, 'readonly');
  await fs.mkdir(readonly);
  if (asRoot) await fs.chown(readonly, 65534, 65534);
  await fs.chmod(readonly, 0o555);
  const target = createTarget({ ...settings, root: '/readonly' });
  try {
    const direct = await rejection(() => target.put('a.bin', Readable.from([Buffer.from('x')])));
    assert.equal(direct.code, 'permission', direct.message);
    assert.match(direct.message, /\/readonly\/a\.bin/);
    const nested = await rejection(() => target.put('day/a.bin', Readable.from([Buffer.from('x')])));
    assert.equal(nested.code, 'permission', nested.message);
    assert.match(nested.message, /\/readonly\/day/);
    const check = await target.check();
    assert.equal(check.ok, false);
    assert.match(check.message, /Permission denied: .*\/readonly/);
    assert.ok(!check.message.includes(server.password), check.message);
    assert.deepEqual(await fs.readdir(readonly), [], 'no temp file left behind');
  } finally {
    await target.close();
  }
});

test('check() reports a writable root in one line without the password', async () => {
  const target = createTarget({ ...settings, root: '/checked' });
  try {
    const check = await target.check();
    assert.equal(check.ok, true, check.message);
    assert.match(check.message, /^Connected to rec@127\.0\.0\.1:\d+ \(plain FTP\); \/checked is writable$/);
    assert.ok(!check.message.includes(server.password));
    assert.deepEqual(await fs.readdir(path.join(base, 'checked')), [], 'the probe is deleted');
  } finally {
    await target.close();
  }
});

test('missing objects are "not-found" on get and undefined on stat', async () => {
  const target = createTarget({ ...settings, root: '/missing' });
  try {
    assert.equal((await rejection(() => target.get('nope/a.bin'))).code, 'not-found');
    assert.equal(await target.stat('nope/a.bin'), undefined);
  } finally {
    await target.close();
  }
});

test('a short range cuts the transfer and the pool recovers', async () => {
  const target = createTarget({ ...settings, root: '/ranges', maxConnections: 1 });
  try {
    const source = generatedBytes(32 * MiB);
    await target.put('big.bin', source.stream());
    const head = await target.get('big.bin', { range: { start: 10, end: 19 } });
    assert.equal((await bytesOf(head.body)).length, 10);
    // With one connection allowed, this only works if the cut connection was replaced.
    const tail = await target.get('big.bin', { range: { start: 32 * MiB - 4 } });
    assert.equal((await bytesOf(tail.body)).length, 4);
    const abandoned = await target.get('big.bin');
    abandoned.body.destroy();
    assert.equal((await target.stat('big.bin'))?.size, 32 * MiB);
  } finally {
    await target.close();
  }
});

test('a restarted server is reconnected to without an error', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-ftp-restart-'));
  let first = await startFtpServer({ root });
  const target = createTarget({ ...settings, port: first.port, root: '/' });
  try {
    await target.put('a.bin', Readable.from([Buffer.from('before')]));
    await first.stop();
    first = await startFtpServer({ root, port: first.port });
    assert.equal((await target.stat('a.bin'))?.size, 6);
  } finally {
    await target.close();
    await first.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
});

test('a server dying mid-upload is retryable and leaves nothing at the key', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-ftp-crash-'));
  const doomed = await startFtpServer({ root });
  const target = createTarget({ ...settings, port: doomed.port, root: '/', timeoutMs: 5000 });
  try {
    let sent = 0;
    const watch = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        sent += chunk.length;
        // Kill the server once the upload is well under way.
        if (sent >= 8 * MiB && sent - chunk.length < 8 * MiB) void doomed.kill();
        callback(null, chunk);
      },
    });
    const error = await rejection(() =>
      target.put(
        'day/crash.bin',
        generatedBytes(256 * MiB)
          .stream()
          .pipe(watch),
      ),
    );
    assert.equal(error.code, 'unavailable', error.message);
    assert.equal(error.retryable, true);
    await assert.rejects(fs.stat(path.join(root, 'day', 'crash.bin')), { code: 'ENOENT' });
  } finally {
    await target.close();
    await doomed.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
});

test.after(async () => {
  await server.stop();
  await fs.chmod(path.join(base, 'readonly'), 0o755).catch(() => undefined);
  await fs.rm(base, { recursive: true, force: true });
});

test.run();
