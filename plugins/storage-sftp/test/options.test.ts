import assert from 'node:assert/strict';
import { formatIssues } from '@deskrec/core';
import { suite } from 'uvu';
import plugin, { SftpStorageOptionsSchema } from '../src/index.js';

const test = suite('storage-sftp options');

test('defaults fill port, root and timeouts', () => {
  const parsed = SftpStorageOptionsSchema.parse({ host: 'h', username: 'u', password: 'p' });
  assert.equal(parsed.port, 22);
  assert.equal(parsed.root, '.');
  assert.equal(parsed.connectTimeoutMs, 20_000);
});

test('a password or a private key is required, and the error names the field', () => {
  const result = SftpStorageOptionsSchema.safeParse({ host: 'h', username: 'u' });
  assert.equal(result.success, false);
  assert.match(formatIssues(result.error!), /^password: give either password or privateKey/);
});

test('a malformed fingerprint is refused with an example', () => {
  const result = SftpStorageOptionsSchema.safeParse({
    host: 'h',
    username: 'u',
    password: 'p',
    hostKeyFingerprint: 'MD5:aa:bb',
  });
  assert.equal(result.success, false);
  assert.match(formatIssues(result.error!), /^hostKeyFingerprint: expected a SHA-256 fingerprint/);
});

test('every option is described and the secrets are declared', () => {
  const shape = (SftpStorageOptionsSchema as unknown as { shape?: Record<string, { description?: string }> })
    .shape;
  const keys = Object.keys(shape ?? {});
  assert.ok(keys.length > 5);
  for (const key of keys) assert.ok(shape![key]!.description, `${key} has a description`);
  assert.deepEqual([...(plugin.secrets ?? [])].sort(), ['passphrase', 'password', 'privateKey']);
});

test.run();
