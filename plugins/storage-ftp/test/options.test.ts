import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { formatIssues, isStorageError } from '@deskrec/core';
import { bytesOf } from '@deskrec/core/testing';
import { suite } from 'uvu';
import plugin from '../src/index.js';
import { FtpStorageOptionsSchema } from '../src/options.js';
import { testCertificate } from './support/certificate.js';
import { startFtpServer } from './support/ftp-server.js';
import { createTarget } from './support/targets.js';

const test = suite('storage-ftp options and TLS');
const certificate = await testCertificate();
const base = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-ftp-options-'));
const explicit = await startFtpServer({ root: base, tls: certificate });
const implicit = await startFtpServer({ root: base, tls: certificate, implicit: true });
const login = { host: '127.0.0.1', user: explicit.user, password: explicit.password };

function problems(input: unknown): string {
  const parsed = FtpStorageOptionsSchema.safeParse(input);
  assert.equal(parsed.success, false, 'expected invalid options');
  return formatIssues(parsed.error!);
}

test('the manifest declares the password secret and honest capabilities', () => {
  assert.equal(plugin.kind, 'storage');
  assert.deepEqual(plugin.secrets, ['password']);
  assert.deepEqual(plugin.capabilities, {
    atomicRename: true,
    rangeRead: true,
    conditionalCreate: false,
    serverChecksum: false,
  });
  for (const [key, schema] of Object.entries(FtpStorageOptionsSchema.shape)) {
    assert.ok(schema.description, `option ${key} has a description`);
  }
});

test('invalid options name the field and the problem', () => {
  assert.match(problems({ user: 'rec' }), /^host: /);
  assert.match(problems({ ...login, secure: 'tls' }), /secure: /);
  assert.match(problems({ ...login, secure: 'none', ca: certificate.cert }), /secure: TLS settings/);
  assert.match(
    problems({ ...login, ca: certificate.cert, skipCertificateVerification: true }),
    /skipCertificateVerification: choose either/,
  );
  assert.match(problems({ ...login, root: '/rec/../etc' }), /root: must not contain "\.\." folders/);
  assert.match(problems({ ...login, maxConnections: 0 }), /maxConnections: /);
  const defaults = FtpStorageOptionsSchema.parse(login);
  assert.equal(defaults.secure, 'explicit', 'encrypted by default');
  assert.equal(defaults.skipCertificateVerification, false, 'certificates verified by default');
});

test('a CA given as a file path is trusted', async () => {
  const caFile = path.join(base, 'ca.pem');
  await fs.writeFile(caFile, certificate.cert);
  const target = createTarget({ ...login, port: explicit.port, ca: caFile, root: '/ca-file' });
  try {
    const check = await target.check();
    assert.equal(check.ok, true, check.message);
    assert.match(check.message, /\(explicit FTPS\)/);
  } finally {
    await target.close();
  }
});

test('an unreadable CA file is "misconfigured" naming the file', () => {
  assert.throws(
    () => createTarget({ ...login, port: explicit.port, ca: '/nonexistent/ca.pem' }),
    (error: unknown) =>
      isStorageError(error, 'misconfigured') && error.message.includes('/nonexistent/ca.pem'),
  );
});

test('an untrusted certificate is refused as "misconfigured" with a hint', async () => {
  const target = createTarget({ ...login, port: explicit.port, root: '/untrusted' });
  try {
    await assert.rejects(
      () => target.put('a.bin', Readable.from([Buffer.from('x')])),
      (error: unknown) => isStorageError(error, 'misconfigured') && /"ca" option/.test(error.message),
    );
    const check = await target.check();
    assert.equal(check.ok, false);
    assert.ok(!check.message.includes(explicit.password));
  } finally {
    await target.close();
  }
});

test('skipping verification must be explicit and says so in check()', async () => {
  const target = createTarget({
    ...login,
    port: explicit.port,
    skipCertificateVerification: true,
    root: '/unverified',
  });
  try {
    const check = await target.check();
    assert.equal(check.ok, true, check.message);
    assert.match(check.message, /certificate NOT verified/);
  } finally {
    await target.close();
  }
});

test('implicit FTPS round trip with a range', async () => {
  const target = createTarget({
    ...login,
    port: implicit.port,
    secure: 'implicit',
    ca: certificate.cert,
    root: '/implicit',
  });
  try {
    await target.put('day/a.bin', Readable.from([Buffer.from('implicit ftps works')]));
    const got = await target.get('day/a.bin', { range: { start: 9, end: 13 } });
    assert.equal((await bytesOf(got.body)).toString(), 'ftps ');
    assert.match((await target.check()).message, /\(implicit FTPS\)/);
  } finally {
    await target.close();
  }
});

test.after(async () => {
  await Promise.all([explicit.stop(), implicit.stop()]);
  await fs.rm(base, { recursive: true, force: true });
});

test.run();
