import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { instantiatePlugin, silentLogger, systemClock, validatePluginOptions } from '@deskrec/core';
import { MemoryWorkstationStore, newWorkstationCredentials } from '@deskrec/core/testing';
import { suite } from 'uvu';
import plugin from '../src/index.js';
import { TokenAuthOptionsSchema } from '../src/options.js';
import { hashSecret, secretMatches } from '../src/secret-hash.js';
import { TokenAuthPolicy } from '../src/token-auth-policy.js';

const test = suite('auth-token edge cases');
const TOKEN = 'tenant-one-token-0123456789abcdef';
const policy = (options: object = {}) => new TokenAuthPolicy(TokenAuthOptionsSchema.parse(options));
const store = () => new MemoryWorkstationStore().addTenant('t1', TOKEN);

test('a secret shorter than 256 bits is refused as invalid and nothing is stored', async () => {
  const s = store();
  const short = newWorkstationCredentials(TOKEN, { workstationSecret: 'x'.repeat(42) });
  const decision = await policy().decide(short, s);
  assert.equal(decision.outcome, 'rejected');
  assert.equal(decision.outcome === 'rejected' && decision.reason, 'invalid');
  assert.match(decision.outcome === 'rejected' ? decision.message : '', /workstationSecret/);
  assert.equal(s.list().length, 0);
});

test('the stored hash is sha256 in hex, checked in constant time', () => {
  const secret = randomBytes(32).toString('base64url');
  const stored = hashSecret(secret);
  assert.match(stored, /^sha256:[0-9a-f]{64}$/);
  assert.ok(secretMatches(secret, stored));
  assert.ok(!secretMatches(`${secret}x`, stored));
  assert.ok(!secretMatches(secret, stored.slice(0, -2)), 'a truncated hash never matches');
  assert.ok(!secretMatches(secret, `md5:${stored.slice(7)}`), 'an unknown hash form never matches');
});

test('with admitEnrolledAfterTokenReset off, a reset token locks enrolled workstations out', async () => {
  const s = store();
  const p = policy({ admitEnrolledAfterTokenReset: false });
  const enrolled = newWorkstationCredentials(TOKEN);
  await p.decide(enrolled, s);
  s.setState('t1', enrolled.workstationId, 'authorized');
  s.resetToken('t1', 'tenant-one-token-after-reset-0000');
  const decision = await p.decide(enrolled, s);
  assert.equal(decision.outcome === 'rejected' && decision.reason, 'unknown-token');
});

test('after a token reset the enrolled record is found by its secret even when the id exists twice', async () => {
  const s = store().addTenant('t2', 'tenant-two-token-0123456789abcdef');
  const p = policy();
  const inT1 = newWorkstationCredentials(TOKEN);
  const inT2 = {
    ...inT1,
    tenantToken: 'tenant-two-token-0123456789abcdef',
    workstationSecret: 'y'.repeat(43),
  };
  await p.decide(inT1, s);
  await p.decide(inT2, s);
  s.setState('t2', inT1.workstationId, 'authorized');
  s.resetToken('t1', 'tenant-one-token-after-reset-0000');
  s.resetToken('t2', 'tenant-two-token-after-reset-0000');
  assert.deepEqual(await p.decide(inT2, s), {
    outcome: 'authorized',
    tenantId: 't2',
    workstationId: inT1.workstationId,
  });
  assert.deepEqual(await p.decide(inT1, s), {
    outcome: 'pending',
    tenantId: 't1',
    workstationId: inT1.workstationId,
  });
});

test('a deleted workstation enrolls again as pending with the current token', async () => {
  const s = store();
  const p = policy();
  const credentials = newWorkstationCredentials(TOKEN);
  await p.decide(credentials, s);
  s.setState('t1', credentials.workstationId, 'forbidden');
  s.delete('t1', credentials.workstationId);
  const decision = await p.decide(credentials, s);
  assert.equal(decision.outcome, 'pending');
});

test('the manifest is an auth plugin and its options are validated by field', async () => {
  assert.equal(plugin.kind, 'auth');
  assert.equal(plugin.id, 'auth-token');
  assert.throws(
    () => validatePluginOptions(plugin, { minSecretLength: 8 }, 'test'),
    /options\.minSecretLength/,
  );
  const created = await instantiatePlugin(
    plugin,
    {},
    {
      logger: silentLogger,
      clock: systemClock,
      instanceId: 'default',
      dataDir: '/nonexistent',
      signal: new AbortController().signal,
    },
    'test',
  );
  const decision = await created.decide(newWorkstationCredentials(TOKEN), store());
  assert.equal(decision.outcome, 'pending');
});

test.run();
