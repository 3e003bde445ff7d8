import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { type AmiMessage, AmiParser, amiAction } from '../src/ami-parser.js';

function parse(chunks: string[]): { banners: string[]; messages: AmiMessage[]; problems: string[] } {
  const out = { banners: [] as string[], messages: [] as AmiMessage[], problems: [] as string[] };
  const parser = new AmiParser({
    banner: (line) => out.banners.push(line),
    message: (message) => out.messages.push({ ...message }),
    problem: (message) => out.problems.push(message),
  });
  for (const chunk of chunks) parser.push(chunk);
  return out;
}

const parser = suite('pbx-asterisk: AMI wire parser');

const TEXT =
  'Asterisk Call Manager/5.0.1\r\nResponse: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n' +
  'Event: Hangup\r\nChannel: PJSIP/1001-00000001\r\nCause-txt: Normal Clearing\r\n\r\n';

parser('CRLF and LF line endings give the same messages', () => {
  const crlf = parse([TEXT]);
  const lf = parse([TEXT.replace(/\r\n/g, '\n')]);
  assert.deepEqual(crlf.banners, ['Asterisk Call Manager/5.0.1']);
  assert.equal(crlf.messages.length, 2);
  assert.deepEqual(lf, crlf);
  assert.equal(crlf.messages[1]?.['cause-txt'], 'Normal Clearing');
});

parser('any split of the byte stream gives the same messages', () => {
  const whole = parse([TEXT]);
  assert.deepEqual(parse([...TEXT]), whole);
  for (let cut = 1; cut < TEXT.length; cut += 7)
    assert.deepEqual(parse([TEXT.slice(0, cut), TEXT.slice(cut)]), whole);
});

parser('a second Event header without a blank line starts a new message', () => {
  const { messages, problems } = parse([
    'Banner/1\r\nEvent: DialBegin\r\nChannel: A\r\nEvent: DialEnd\r\nChannel: B\r\nDialStatus: ANSWER\r\n\r\n',
  ]);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    messages.map((m) => [m.event, m.channel]),
    [
      ['DialBegin', 'A'],
      ['DialEnd', 'B'],
    ],
  );
});

parser('a line without a colon is reported and only that line is skipped', () => {
  const { messages, problems } = parse([
    'Banner/1\r\nEvent: X\r\ngarbage\r\nB: 2\r\n\r\nEvent: Y\r\nA: 1\r\n\r\n',
  ]);
  assert.equal(problems.length, 1);
  assert.deepEqual(
    messages.map((m) => [m.event, m.b ?? m.a]),
    [
      ['X', '2'],
      ['Y', '1'],
    ],
  );
});

parser('a malformed line does not swallow the message that follows it', () => {
  // The case that lost a BridgeEnter: garbage with no blank line before the next message.
  const { messages, problems } = parse([
    'Banner/1\r\n',
    'this is not AMI\r\nEvent: BridgeEnter\r\nChannel: PJSIP/1001-1\r\n\r\n',
    'Event: Hangup\r\nChannel: PJSIP/1001-1\r\n\r\n',
  ]);
  assert.equal(problems.length, 1);
  assert.deepEqual(
    messages.map((m) => m.event),
    ['BridgeEnter', 'Hangup'],
  );
});

parser('an endless line is dropped, bounded in memory', () => {
  const { messages, problems } = parse([
    'Banner/1\r\n',
    'X'.repeat(10_000),
    'X'.repeat(10_000),
    '\r\nEvent: Z\r\n\r\n',
  ]);
  assert.ok(problems.length >= 1);
  assert.deepEqual(
    messages.map((m) => m.event),
    ['Z'],
  );
});

parser('header values keep colons; names are case-insensitive', () => {
  const { messages } = parse(['B/1\nevent: VarSet\nValue: sip:1001@example.org:5060\n\n']);
  assert.equal(messages[0]?.event, 'VarSet');
  assert.equal(messages[0]?.value, 'sip:1001@example.org:5060');
});

parser('actions cannot inject headers through values', () => {
  assert.equal(
    amiAction({ Action: 'Login', Secret: 'a\r\nAction: Logoff' }),
    'Action: Login\r\nSecret: a  Action: Logoff\r\n\r\n',
  );
});

parser.run();
