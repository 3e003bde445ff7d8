import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BRIDGE_SECONDS,
  callTimeOf,
  gapsOf,
  laneOf,
  lanesOf,
  locate,
  nextToLoad,
  type TimelineSegment,
} from '../src/portal/client/player/timeline.js';

const seg = (id: string, start: number, duration: number, stored = true, monitor = '0'): TimelineSegment => ({
  id,
  url: `/media/${id}`,
  start,
  duration,
  monitor,
  stored,
});

// Two parts cut 0.2 s apart (the recorder's jitter), a real 3 s interruption, then a part still uploading.
const lane = laneOf(
  [seg('c', 12, 4), seg('a', 0.3, 5), seg('b', 5.5, 3.5), seg('x', 0, 20, true, '1'), seg('d', 16, 2, false)],
  '0',
);
const total = 20;

test('laneOf keeps one monitor, in time order', () => {
  assert.equal(
    lane.map((s) => s.id),
    ['a', 'b', 'c', 'd'],
  );
});

test('a time inside a stored part maps to that part and the offset into it, and back', () => {
  const place = locate(lane, 7, total);
  assert.equal(place, { kind: 'segment', segment: lane[1], offset: 1.5, held: false });
  if (place.kind !== 'segment') throw new Error('unreachable');
  assert.is(callTimeOf(place.segment, place.offset), 7);
  assert.is(callTimeOf(lane[1]!, 99), 9, 'an offset past the end maps to the part end');
});

test('a hole shorter than the bridge holds the previous frame; before the first part, the first frame', () => {
  assert.equal(locate(lane, 5.4, total), { kind: 'segment', segment: lane[0], offset: 5, held: true });
  assert.equal(locate(lane, 0.1, total), { kind: 'segment', segment: lane[0], offset: 0, held: true });
});

test('a hole of at least the bridge is a real gap, with its extent', () => {
  assert.equal(locate(lane, 10, total), { kind: 'gap', gap: { start: 9, end: 12 } });
  assert.equal(locate(lane, 19, total), { kind: 'gap', gap: { start: 18, end: 20 } });
  assert.equal(locate([], 3, 10), { kind: 'gap', gap: { start: 0, end: 10 } });
});

test('a part still uploading is reported as pending, not as a gap', () => {
  assert.equal(locate(lane, 17, total), { kind: 'pending', segment: lane[3] });
});

test('the next part to preload follows the one on screen, skips uploading parts, and follows a gap', () => {
  assert.is(nextToLoad(lane, locate(lane, 1, total))?.id, 'b');
  assert.is(nextToLoad(lane, locate(lane, 5.4, total))?.id, 'b', 'while holding a across the hole');
  assert.is(nextToLoad(lane, locate(lane, 10, total))?.id, 'c');
  assert.is(nextToLoad(lane, locate(lane, 13, total)), undefined, 'd is not stored yet');
});

test('gapsOf lists the real interruptions only; lanesOf closes the bridged holes', () => {
  assert.equal(gapsOf(lane, total), [
    { start: 9, end: 12 },
    { start: 18, end: 20 },
  ]);
  assert.equal(lanesOf(lane), [
    { start: 0.3, end: 9, stored: true },
    { start: 12, end: 16, stored: true },
    { start: 16, end: 18, stored: false },
  ]);
  assert.equal(gapsOf([seg('a', 0, 10)], 10 + BRIDGE_SECONDS - 0.01), [], 'a short tail is no gap');
});

test.run();
