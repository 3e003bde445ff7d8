import assert from 'node:assert/strict';
import { test } from 'uvu';
import { decodeAgentMessage, decodeHostMessage } from '../src/protocol/decode.js';
import { MAX_MESSAGE_BYTES, PROTOCOL_VERSION } from '../src/protocol/messages.js';

const hello = {
  v: PROTOCOL_VERSION,
  type: 'hello',
  tenantToken: 't'.repeat(32),
  workstationId: 'ws_0123456789abcdef',
  workstationSecret: 's'.repeat(43),
  computerName: 'PC-7',
  domain: 'CORP',
  os: { platform: 'linux', release: '6.1' },
  agentVersion: '0.1.0',
  monitors: [{ id: '0', width: 1920, height: 1080, x: 0, y: 0, primary: true }],
  login: 'CORP\\jdoe',
};

function failure(raw: string) {
  const result = decodeAgentMessage(raw);
  assert.equal(result.ok, false);
  return result as Extract<typeof result, { ok: false }>;
}

test('a valid hello decodes', () => {
  const result = decodeAgentMessage(JSON.stringify(hello));
  assert.ok(result.ok);
  assert.equal(result.message.type, 'hello');
});

test('malformed JSON', () => {
  const f = failure('{"v":1,');
  assert.equal(f.code, 'malformed');
  assert.match(f.message, /not JSON/);
});

test('non-object JSON', () => {
  assert.equal(failure('[1,2]').code, 'malformed');
  assert.equal(failure('"hello"').code, 'malformed');
});

test('wrong protocol version names both versions', () => {
  const f = failure(JSON.stringify({ ...hello, v: 99 }));
  assert.equal(f.code, 'protocol-version');
  assert.equal(
    f.message,
    `protocol version 99 is not supported; this side speaks version ${PROTOCOL_VERSION}`,
  );
});

test('unknown type', () => {
  const f = failure(JSON.stringify({ v: 1, type: 'format-disk' }));
  assert.equal(f.code, 'unknown-type');
  assert.equal(f.message, 'unknown message type "format-disk"');
});

test('missing and wrongly typed fields are named', () => {
  const { computerName: _omit, ...missing } = hello;
  const f = failure(JSON.stringify({ ...missing, monitors: 'many' }));
  assert.equal(f.code, 'invalid');
  assert.match(f.message, /^hello: /);
  assert.match(f.message, /computerName: Invalid input: expected string, received undefined/);
  assert.match(f.message, /monitors: Invalid input: expected array, received string/);
});

test('unknown extra fields are refused', () => {
  const f = failure(JSON.stringify({ ...hello, admin: true }));
  assert.equal(f.code, 'invalid');
  assert.match(f.message, /admin/);
});

test('logins: DOMAIN\\login, NETBIOS\\login or login', () => {
  for (const login of ['CORP\\jdoe', 'jdoe', 'corp.example.com\\j.doe']) {
    assert.ok(decodeAgentMessage(JSON.stringify({ v: 1, type: 'session', login })).ok, login);
  }
  for (const login of ['a\\b\\c', 'has space', '', 'a/b']) {
    assert.equal(failure(JSON.stringify({ v: 1, type: 'session', login })).code, 'invalid', login);
  }
});

test('oversized frames are refused before parsing', () => {
  const f = failure(JSON.stringify({ ...hello, computerName: 'x'.repeat(MAX_MESSAGE_BYTES) }));
  assert.equal(f.code, 'malformed');
  assert.match(f.message, /limit is 65536/);
});

test('host messages decode with defaults applied', () => {
  const result = decodeHostMessage(
    JSON.stringify({
      v: 1,
      type: 'capture.start',
      captureId: 'c1',
      recordingId: 'r1',
      settings: {},
      uploadToken: 'u'.repeat(32),
    }),
  );
  assert.ok(result.ok);
  assert.equal(result.message.type === 'capture.start' && result.message.settings.fps, 5);
});

test.run();
