import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { parseAddress } from '../src/config/address.js';
import { AgentConfigError, loadAgentConfig } from '../src/config/load-config.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-agent-config-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
};
const token = 'a'.repeat(32);

test('environment alone is enough, with the installer property names', () => {
  const config = loadAgentConfig(undefined, {
    DESKREC_SERVER1: 'rec.example.com',
    DESKREC_SERVER2: 'rec2.example.com:7000',
    DESKREC_TENANT_TOKEN: token,
    DESKREC_USE_SSL: '1',
  });
  assert.equal(config.controller.primary, 'rec.example.com');
  assert.equal(config.controller.tls, true);
  assert.equal(config.log.trace, false, 'trace log is off by default');
  assert.deepEqual(parseAddress(config.controller.primary, true), { host: 'rec.example.com', port: 6092 });
  assert.deepEqual(parseAddress(config.controller.secondary!, true), {
    host: 'rec2.example.com',
    port: 7000,
  });
  assert.deepEqual(parseAddress('10.0.0.5', false), { host: '10.0.0.5', port: 6091 });
  assert.deepEqual(parseAddress('[::1]:6091', false), { host: '::1', port: 6091 });
});

test('a YAML file with environment overrides', () => {
  const file = write(
    'agent.yaml',
    `controller:\n  primary: a.example:6091\ntenantToken: ${token}\nlog:\n  trace: true\n  level: 5\n`,
  );
  const config = loadAgentConfig(file, { DESKREC_SERVER1: 'b.example:6091' });
  assert.equal(config.controller.primary, 'b.example:6091');
  assert.equal(config.log.trace, true);
  assert.equal(config.log.level, 5);
});

test('bad values stop it with a message naming the file and the key', () => {
  const file = write(
    'bad.json',
    JSON.stringify({
      controller: { primary: 'x', fingerprint: 'nope' },
      tenantToken: 'short',
      upload: { maxKbps: -1 },
    }),
  );
  try {
    loadAgentConfig(file, {});
    assert.fail('expected an error');
  } catch (error) {
    assert.ok(error instanceof AgentConfigError);
    assert.match(error.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
    assert.match(error.message, /controller\.fingerprint: must be a SHA-256 fingerprint/);
    assert.match(error.message, /tenantToken: Too small/);
    assert.match(error.message, /upload\.maxKbps: Too small/);
  }
});

test('unreadable and unparsable files, unknown keys, bad booleans', () => {
  assert.throws(
    () => loadAgentConfig(path.join(dir, 'missing.yaml'), {}),
    /cannot read the config file \(ENOENT\)/,
  );
  assert.throws(() => loadAgentConfig(write('broken.json', '{"a":'), {}), /not valid JSON/);
  assert.throws(
    () =>
      loadAgentConfig(
        write('extra.yaml', `controller:\n  primary: a\n  primry: b\ntenantToken: ${token}\n`),
        {},
      ),
    /controller: Unrecognized key: "primry"/,
  );
  assert.throws(
    () => loadAgentConfig(undefined, { DESKREC_USE_SSL: 'maybe' }),
    /DESKREC_USE_SSL: expected 1 or 0, got "maybe"/,
  );
  assert.throws(() => parseAddress('host:99999', false), /port 99999 is not 1–65535/);
  assert.throws(() => parseAddress('http://host', false), /is not host:port/);
});

test.run();
