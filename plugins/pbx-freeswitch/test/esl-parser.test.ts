import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { decodeEvent, type EslFrame, EslParser } from '../src/esl-parser.js';

function parse(chunks: Buffer[]): { frames: EslFrame[]; problems: string[] } {
  const out = { frames: [] as EslFrame[], problems: [] as string[] };
  const parser = new EslParser({
    frame: (frame) => out.frames.push(frame),
    problem: (message) => out.problems.push(message),
  });
  for (const chunk of chunks) parser.push(chunk);
  return out;
}

const body = 'Event-Name: CHANNEL_ANSWER\nCaller-Caller-ID-Name: Jos%C3%A9%20M%C3%BCller\nUnique-ID: u-1\n\n';
const wire = `Content-Type: auth/request\n\nContent-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}Content-Type: command/reply\nReply-Text: %2BOK%20accepted\n\n`;

const parser = suite('pbx-freeswitch: event socket framing');

parser('frames, Content-Length bodies and URL-encoded headers', () => {
  const { frames, problems } = parse([Buffer.from(wire)]);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    frames.map((f) => f.headers['Content-Type']),
    ['auth/request', 'text/event-plain', 'command/reply'],
  );
  assert.equal(frames[2]?.headers['Reply-Text'], '+OK accepted');
  const event = decodeEvent('text/event-plain', frames[1]?.body ?? '');
  assert.equal(typeof event === 'object' && event['Caller-Caller-ID-Name'], 'José Müller');
});

parser('byte-by-byte delivery splits multi-byte characters and still frames by bytes', () => {
  const raw = `Content-Length: ${Buffer.byteLength('{"Event-Name":"X","N":"Jörg ☎"}')}\nContent-Type: text/event-json\n\n{"Event-Name":"X","N":"Jörg ☎"}`;
  const bytes = Buffer.from(raw);
  const whole = parse([bytes]);
  const pieces = parse([...bytes].map((b) => Buffer.from([b])));
  assert.deepEqual(pieces, whole);
  const event = decodeEvent('text/event-json', whole.frames[0]?.body ?? '');
  assert.equal(typeof event === 'object' && event.N, 'Jörg ☎');
});

parser('CRLF header blocks are accepted', () => {
  const { frames } = parse([
    Buffer.from('Content-Type: auth/request\r\n\r\nContent-Type: command/reply\r\nReply-Text: +OK\r\n\r\n'),
  ]);
  assert.equal(frames.length, 2);
  assert.equal(frames[1]?.headers['Reply-Text'], '+OK');
});

parser('a huge body is skipped, not buffered, and framing resumes after it', () => {
  const size = 9 * 1024 * 1024;
  const chunks = [Buffer.from(`Content-Length: ${size}\nContent-Type: text/event-plain\n\n`)];
  for (let sent = 0; sent < size; sent += 1024 * 1024)
    chunks.push(Buffer.alloc(Math.min(1024 * 1024, size - sent), 0x41));
  chunks.push(Buffer.from('Content-Type: command/reply\nReply-Text: +OK\n\n'));
  const { frames, problems } = parse(chunks);
  assert.equal(problems.length, 1);
  assert.deepEqual(
    frames.map((f) => f.headers['Reply-Text']),
    ['+OK'],
  );
});

parser('malformed percent escapes are kept as received', () => {
  const event = decodeEvent('text/event-plain', 'Event-Name: X\nCaller-Caller-ID-Name: 100%\n\n');
  assert.equal(typeof event === 'object' && event['Caller-Caller-ID-Name'], '100%');
});

parser.run();
