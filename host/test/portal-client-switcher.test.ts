import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planSwitch, type SlotState } from '../src/portal/client/player/switcher.js';
import { laneOf, locate, nextToLoad, type TimelineSegment } from '../src/portal/client/player/timeline.js';

const seg = (id: string, start: number, duration: number, stored = true): TimelineSegment => ({
  id,
  url: `/media/${id}`,
  start,
  duration,
  monitor: '0',
  stored,
});
const lane = laneOf([seg('a', 0, 5), seg('b', 5.2, 5), seg('c', 14, 5), seg('d', 19, 1, false)], '0');
const empty: SlotState = { segmentId: null, ready: false };
const held = (id: string, ready = true): SlotState => ({ segmentId: id, ready });

const plan = (t: number, slots: readonly [SlotState, SlotState], visible: 0 | 1 | null) => {
  const place = locate(lane, t, 20);
  return planSwitch({ place, next: nextToLoad(lane, place), slots, visible });
};

test('on first load the first part loads into one element and the next into the other; no gap message', () => {
  const p = plan(0, [empty, empty], null);
  assert.equal(
    p.loads.map((l) => [l.slot, l.segment.id]),
    [
      [0, 'a'],
      [1, 'b'],
    ],
  );
  assert.equal(p.target, { slot: 0, offset: 0, play: true });
  assert.is(p.visible, null);
  assert.is(p.message, 'loading', 'a neutral message until the first frame, not "not recorded"');
});

test('the part is shown once it has a frame', () => {
  const p = plan(0.5, [held('a'), held('b', false)], null);
  assert.equal(p.loads, []);
  assert.is(p.visible, 0);
  assert.is(p.message, null);
});

test('at a boundary the preloaded part takes over only when it can play; until then the old frame stays', () => {
  const waiting = plan(5.3, [held('a'), held('b', false)], 0);
  assert.equal(waiting.target, { slot: 1, offset: 5.3 - 5.2, play: true });
  assert.is(waiting.visible, 0, 'a stays on screen');
  assert.is(waiting.message, null);
  assert.equal(waiting.loads, [], 'nothing evicts the element on screen');
  const ready = plan(5.3, [held('a'), held('b')], 0);
  assert.is(ready.visible, 1);
  assert.equal(
    ready.loads.map((l) => [l.slot, l.segment.id]),
    [[0, 'c']],
    'the freed element preloads the part after the gap',
  );
});

test('the bridged hole between parts keeps the previous part on screen, held', () => {
  const p = plan(5.1, [held('a'), held('b')], 0);
  assert.equal(p.target, { slot: 0, offset: 5, play: false });
  assert.is(p.visible, 0);
  assert.is(p.message, null);
});

test('a real gap hides the video, says so, and preloads the part after it', () => {
  const p = plan(12, [held('a'), held('b')], 1);
  assert.is(p.visible, null);
  assert.is(p.message, 'gap');
  assert.equal(
    p.loads.map((l) => [l.slot, l.segment.id]),
    [[0, 'c']],
  );
});

test('a part still uploading is "pending"', () => {
  const p = plan(19.5, [held('c'), empty], 0);
  assert.is(p.message, 'pending');
  assert.is(p.visible, null);
});

test('a seek to a part that is not loaded loads it beside the one on screen, which stays until it is ready', () => {
  const p = plan(15, [held('a'), held('b')], 0);
  assert.equal(
    p.loads.map((l) => [l.slot, l.segment.id]),
    [[1, 'c']],
  );
  assert.is(p.visible, 0);
  assert.equal(p.target, { slot: 1, offset: 1, play: true });
});

test.run();
