import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { isStorageError, type StorageError } from '@deskrec/core';
import { generatedBytes } from '@deskrec/core/testing';
import { suite } from 'uvu';
import { startSftpServer, type TestSftpServer } from './support/sftp-server.js';
import { createTarget, recordingLogger } from './support/targets.js';

const PASSWORD = 'failures-secret-pw';
const test = suite('storage-sftp failures');
let base: string;
let server: TestSftpServer;

test.before(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-sftp-fail-'));
  await fs.mkdir(path.join(base, 'readonly'));
  server = await startSftpServer({ base, username: 'rec', password: PASSWORD, readOnly: ['/readonly'] });
});

test.after(async () => {
  await server.close();
  await fs.rm(base, { recursive: true, force: true });
});

const options = (overrides: Record<string, unknown> = {}) => ({
  host: '127.0.0.1',
  port: server.port,
  username: 'rec',
  password: PASSWORD,
  hostKeyFingerprint: server.fingerprint,
  root: '/data',
  ...overrides,
});

async function failure(work: () => Promise<unknown>): Promise<StorageError> {
  try {
    await work();
  } catch (error) {
    assert.ok(isStorageError(error), `expected a StorageError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a failure');
}

const small = () => Readable.from([Buffer.from('x')]);

test('wrong password is an auth error naming user@host, never the password', async () => {
  const target = await createTarget(options({ password: 'not-the-password' }));
  try {
    const error = await failure(() => target.put('a.bin', small()));
    assert.equal(error.code, 'auth');
    assert.equal(error.retryable, false);
    assert.match(error.message, new RegExp(`rec@127\\.0\\.0\\.1:${server.port}`));
    assert.ok(!error.message.includes('not-the-password'));
    const check = await target.check();
    assert.equal(check.ok, false);
    assert.match(check.message, /Authentication failed/);
    assert.ok(!check.message.includes('not-the-password'), check.message);
  } finally {
    await target.close();
  }
});

test('a host key other than the pinned one is refused with both fingerprints', async () => {
  const pinned = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
  const target = await createTarget(options({ hostKeyFingerprint: pinned }));
  try {
    const error = await failure(() => target.stat('a.bin'));
    assert.equal(error.code, 'auth');
    assert.ok(error.message.includes(`expected ${pinned}`), error.message);
    assert.ok(error.message.includes(`got ${server.fingerprint}`), error.message);
    const check = await target.check();
    assert.equal(check.ok, false);
    assert.ok(check.message.includes(server.fingerprint), check.message);
  } finally {
    await target.close();
  }
});

test('the pin accepts the forms admins paste (no prefix, padding)', async () => {
  const bare = `${server.fingerprint.slice('SHA256:'.length)}=`;
  const target = await createTarget(options({ hostKeyFingerprint: bare }));
  try {
    assert.equal((await target.check()).ok, true);
  } finally {
    await target.close();
  }
});

test('without a pin the connection is allowed and a warning names the key seen', async () => {
  const logger = recordingLogger();
  const target = await createTarget(options({ hostKeyFingerprint: undefined }), logger);
  try {
    const result = await target.check();
    assert.equal(result.ok, true, result.message);
    assert.match(result.message, /NOT pinned/);
    assert.equal(logger.warnings.length, 1);
    assert.ok(logger.warnings[0]!.includes(server.fingerprint), logger.warnings[0]);
  } finally {
    await target.close();
  }
});

test('check() reports success in one line without secrets', async () => {
  const target = await createTarget(options());
  try {
    const result = await target.check();
    assert.equal(result.ok, true, result.message);
    assert.ok(!result.message.includes('\n'));
    assert.ok(!result.message.includes(PASSWORD));
    assert.match(result.message, /rec/);
  } finally {
    await target.close();
  }
});

test('a refused connection is unavailable and retryable', async () => {
  const closed = await startSftpServer({ base, username: 'rec', password: PASSWORD });
  await closed.close();
  const target = await createTarget(options({ port: closed.port, connectTimeoutMs: 5000 }));
  try {
    const error = await failure(() => target.put('a.bin', small()));
    assert.equal(error.code, 'unavailable');
    assert.equal(error.retryable, true);
    assert.match(error.message, /rec@127\.0\.0\.1/);
  } finally {
    await target.close();
  }
});

test('permission denied on a read-only root names the path', async () => {
  const target = await createTarget(options({ root: '/readonly' }));
  try {
    const error = await failure(() => target.put('2024/a.bin', small()));
    assert.equal(error.code, 'permission');
    assert.equal(error.retryable, false);
    assert.ok(error.message.includes('/readonly/2024'), error.message);
    const check = await target.check();
    assert.equal(check.ok, false);
    assert.match(check.message, /Permission denied/);
    assert.ok(!check.message.includes(PASSWORD));
  } finally {
    await target.close();
  }
});

test('server gone mid-upload: retryable error, no object, no temp file left, and the next put reconnects', async () => {
  const target = await createTarget(options({ root: '/drop' }));
  try {
    assert.equal((await target.check()).ok, true);
    let sent = 0;
    const dropAfterBytes = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        sent += chunk.length;
        if (sent > 8 * 1024 * 1024 && sent - chunk.length <= 8 * 1024 * 1024) server.dropConnections();
        callback(null, chunk);
      },
    });
    const source = generatedBytes(64 * 1024 * 1024)
      .stream()
      .pipe(dropAfterBytes);
    const error = await failure(() => target.put('big/object.bin', source));
    assert.equal(error.code, 'unavailable', error.message);
    assert.equal(error.retryable, true);
    assert.equal(await target.stat('big/object.bin'), undefined, 'no object at the final key');
    const keys = [];
    for await (const info of target.list('big/')) keys.push(info.key);
    assert.deepEqual(keys, []);
    await target.put('big/object.bin', small());
    assert.equal((await target.stat('big/object.bin'))?.size, 1);
    assert.deepEqual(
      await fs.readdir(path.join(base, 'drop/big')),
      ['object.bin'],
      'the temp file of the dropped upload is removed over a new connection',
    );
  } finally {
    await target.close();
  }
});

test('a private key path that cannot be read is misconfigured, naming the option', async () => {
  try {
    await createTarget(options({ password: undefined, privateKey: '/nonexistent/id_ed25519' }));
    assert.fail('expected a failure');
  } catch (error) {
    assert.ok(isStorageError(error, 'misconfigured'), String(error));
    assert.match(error.message, /^privateKey:/);
  }
});

test.run();
