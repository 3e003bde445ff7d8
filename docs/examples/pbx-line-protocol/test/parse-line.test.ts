import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { parseLine } from '../src/parse-line.js';

const test = suite('parseLine');

test('inbound START: the remote number calls the agent', () => {
  const parsed = parseLine('2026-01-05T10:00:00Z START call-42 1001 inbound +15551234', 'extension');
  assert.deepEqual(parsed, {
    ok: true,
    event: {
      type: 'call.started',
      callId: 'call-42',
      at: new Date('2026-01-05T10:00:00Z'),
      direction: 'inbound',
      agent: { by: 'extension', value: '1001' },
      from: { number: '+15551234' },
      to: { number: '1001' },
    },
  });
});

test('outbound START: the agent calls the remote number', () => {
  const parsed = parseLine('2026-01-05T10:00:00Z START c 1001 outbound +15551234', 'extension');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.event.from, { number: '1001' });
  assert.deepEqual(parsed.event.to, { number: '+15551234' });
});

test('a login is the agent, not a party', () => {
  const parsed = parseLine('2026-01-05T10:00:00Z START c CONTOSO\\jdoe internal', 'login');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.event.agent, { by: 'login', value: 'CONTOSO\\jdoe' });
  assert.equal(parsed.event.from, undefined);
  assert.equal(parsed.event.to, undefined);
});

test('END keeps the rest of the line as the reason', () => {
  const parsed = parseLine('2026-01-05T10:00:00Z END c 1001 caller hung up', 'extension');
  assert.ok(parsed.ok);
  assert.equal(parsed.event.reason, 'caller hung up');
});

test('bad lines say what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['2026-01-05T10:00:00Z START', /expected/],
    ['yesterday START c 1001 inbound', /not an ISO 8601 time/],
    ['2026-13-45T10:00:00Z END c 1001', /not an ISO 8601 time/],
    ['2026-01-05T10:00:00Z START c 1001 sideways', /direction/],
    ['2026-01-05T10:00:00Z START c 1001 inbound +1555 extra', /too many fields/],
    ['2026-01-05T10:00:00Z HOLD c 1001', /unknown event "HOLD"/],
  ];
  for (const [line, message] of cases) {
    const parsed = parseLine(line, 'extension');
    assert.equal(parsed.ok, false, line);
    if (!parsed.ok) assert.match(parsed.message, message, line);
  }
});

test.run();
