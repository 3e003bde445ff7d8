import assert from 'node:assert/strict';
import { suite } from 'uvu';
import { LineSplitter } from '../src/connector/line-splitter.js';

const test = suite('LineSplitter');

function split(chunks: string[], maxBytes = 16) {
  const lines: string[] = [];
  const overlong: string[] = [];
  const splitter = new LineSplitter(
    maxBytes,
    (line) => lines.push(line),
    (start) => overlong.push(start),
  );
  for (const chunk of chunks) splitter.push(chunk);
  return { lines, overlong };
}

test('lines straddling chunks are joined; CRLF and LF both end a line', () => {
  assert.deepEqual(split(['ab', 'c\r', '\nde', 'f\n']).lines, ['abc', 'def']);
});

test('an overlong line without a newline is reported once and dropped up to its end', () => {
  const { lines, overlong } = split(['0123456789', '0123456789', '0123456789', 'tail\nnext\n']);
  assert.equal(overlong.length, 1);
  assert.deepEqual(lines, ['next']);
});

test('an overlong complete line is reported and the next one still parses', () => {
  const { lines, overlong } = split(['x'.repeat(40), '\nok\n']);
  assert.equal(overlong.length, 1);
  assert.deepEqual(lines, ['ok']);
});

test('memory stays bounded while a peer never sends a newline', () => {
  const splitter = new LineSplitter(
    64,
    () => undefined,
    () => undefined,
  );
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 20_000; i++) splitter.push('y'.repeat(1024));
  const grown = process.memoryUsage().heapUsed - before;
  assert.ok(grown < 16 * 1024 * 1024, `heap grew by ${grown} bytes`);
});

test.run();
