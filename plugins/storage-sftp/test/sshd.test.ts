import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { isStorageError } from '@deskrec/core';
import { bytesOf, storageTargetKit } from '@deskrec/core/testing';
import { suite } from 'uvu';
import plugin from '../src/index.js';
import { ed25519KeyPair } from './support/ssh-keys.js';
import { startSshd } from './support/sshd.js';
import { createTarget } from './support/targets.js';

// Against Debian's OpenSSH sshd (a real peer, non-root user): only with DESKREC_TEST_SYSTEM=1.
const test = suite('storage-sftp against OpenSSH sshd');

if (process.env.DESKREC_TEST_SYSTEM !== '1') {
  test.skip('OpenSSH sshd (set DESKREC_TEST_SYSTEM=1 and install openssh-server)', () => {});
} else {
  const USER = 'deskrec-sftp';
  const PASSWORD = 'sshd-test-Pw-7e1';
  const PASSPHRASE = 'key-passphrase-91';
  const keys = ed25519KeyPair({
    passphrase: PASSPHRASE,
    cipher: 'aes256-ctr',
    rounds: 16,
  });
  const sshd = await startSshd({ username: USER, password: PASSWORD, authorizedKey: keys.public });
  const keyDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-sftp-key-'));
  const keyFile = path.join(keyDir, 'id_ed25519');
  await fs.writeFile(keyFile, keys.private, { mode: 0o600 });
  // This suite runs after the kit's suite (uvu runs suites in the order of their run() calls).
  test.after(async () => {
    await sshd.stop();
    await fs.rm(keyDir, { recursive: true, force: true });
  });

  const base = (overrides: Record<string, unknown> = {}) => ({
    host: '127.0.0.1',
    port: sshd.port,
    username: USER,
    password: PASSWORD,
    hostKeyFingerprint: sshd.fingerprint,
    ...overrides,
  });

  let kits = 0;
  storageTargetKit({
    name: 'storage-sftp (OpenSSH sshd)',
    capabilities: plugin.capabilities,
    create: () => createTarget(base({ root: `${sshd.home}/kit-${++kits}` })),
    async cleanup() {
      await fs.rm(path.join(sshd.home, `kit-${kits}`), { recursive: true, force: true });
    },
  });

  test('public-key login with an encrypted key given as a file path', async () => {
    const target = await createTarget(
      base({ password: undefined, privateKey: keyFile, passphrase: PASSPHRASE, root: 'by-key' }),
    );
    try {
      const check = await target.check();
      assert.equal(check.ok, true, check.message);
      assert.ok(!check.message.includes(PASSPHRASE));
      await target.put('a/b.bin', Readable.from([Buffer.from('by key')]));
      assert.equal((await bytesOf((await target.get('a/b.bin')).body)).toString(), 'by key');
    } finally {
      await target.close();
      await fs.rm(path.join(sshd.home, 'by-key'), { recursive: true, force: true });
    }
  });

  test('public-key login with the key text inline', async () => {
    const target = await createTarget(
      base({ password: undefined, privateKey: keys.private, passphrase: PASSPHRASE, root: 'inline' }),
    );
    try {
      assert.equal((await target.check()).ok, true);
    } finally {
      await target.close();
      await fs.rm(path.join(sshd.home, 'inline'), { recursive: true, force: true });
    }
  });

  test('wrong password is auth; check() does not echo it', async () => {
    const target = await createTarget(base({ password: 'wrong-Pw-123' }));
    try {
      const check = await target.check();
      assert.equal(check.ok, false);
      assert.match(check.message, new RegExp(`Authentication failed for ${USER}@127\\.0\\.0\\.1`));
      assert.ok(!check.message.includes('wrong-Pw-123') && !check.message.includes(PASSWORD));
      await target.stat('x').then(
        () => assert.fail('stat must fail'),
        (error) => assert.ok(isStorageError(error, 'auth'), String(error)),
      );
    } finally {
      await target.close();
    }
  });

  test('a changed host key is refused with both fingerprints', async () => {
    const other = 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
    const target = await createTarget(base({ hostKeyFingerprint: other }));
    try {
      const check = await target.check();
      assert.equal(check.ok, false);
      assert.ok(check.message.includes(other) && check.message.includes(sshd.fingerprint), check.message);
    } finally {
      await target.close();
    }
  });

  test('a root folder the user may not write (root-owned, 0555) is a permission error', async () => {
    const locked = path.join(sshd.home, 'locked');
    await fs.mkdir(locked, { recursive: true });
    await fs.chmod(locked, 0o555);
    const target = await createTarget(base({ root: locked }));
    try {
      await target.put('2024/a.bin', Readable.from([Buffer.from('x')])).then(
        () => assert.fail('put must fail'),
        (error) => {
          assert.ok(isStorageError(error, 'permission'), String(error));
          assert.ok(error.message.includes(`${locked}/2024`), error.message);
        },
      );
      const check = await target.check();
      assert.equal(check.ok, false);
      assert.match(check.message, /Permission denied/);
    } finally {
      await target.close();
      await fs.rm(locked, { recursive: true, force: true });
    }
  });
}

test.run();
