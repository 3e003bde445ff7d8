import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { loadOrCreateIdentity } from '../src/identity/workstation-identity.js';

test('identity is generated once, owner-only, with a 256-bit secret, and reused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-identity-'));
  const first = await loadOrCreateIdentity(dir);
  assert.match(first.workstationId, /^ws_[0-9a-f]{32}$/);
  assert.equal(Buffer.from(first.workstationSecret, 'base64url').length, 32);
  const mode = fs.statSync(path.join(dir, 'identity.json')).mode & 0o777;
  assert.equal(mode, 0o600);
  const again = await loadOrCreateIdentity(dir);
  assert.deepEqual(again, first);
  const other = await loadOrCreateIdentity(fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-identity-')));
  assert.notEqual(other.workstationSecret, first.workstationSecret);
});

test('a damaged identity file is reported, not silently replaced', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-identity-'));
  fs.writeFileSync(path.join(dir, 'identity.json'), '{"workstationId":"x"}');
  await assert.rejects(loadOrCreateIdentity(dir), /identity.json is damaged/);
});

test.run();
