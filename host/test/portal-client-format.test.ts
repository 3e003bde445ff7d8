import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatClock } from '../src/portal/client/player/format.js';
import { localDateTime } from '../src/portal/client/portal/local-time.js';

test('formatClock: m:ss below an hour, h:mm:ss from an hour on, never negative', () => {
  assert.is(formatClock(0), '0:00');
  assert.is(formatClock(9.99), '0:09');
  assert.is(formatClock(600), '10:00');
  assert.is(formatClock(3725), '1:02:05');
  assert.is(formatClock(-3), '0:00');
});

test('localDateTime: the browser-local date and time, zero-padded', () => {
  const d = new Date(2026, 0, 5, 7, 8, 9);
  assert.is(localDateTime(d, 'date-time'), '2026-01-05 07:08:09');
  assert.is(localDateTime(d, 'time'), '07:08:09');
});

test.run();
