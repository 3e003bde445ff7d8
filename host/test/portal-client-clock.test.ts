import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type AudioLike, PlayerClock } from '../src/portal/client/player/clock.js';

/** An audio element's behaviour the clock relies on: time advances while playing, play may be refused. */
class FakeAudio implements AudioLike {
  currentTime = 0;
  paused = true;
  playbackRate = 1;
  refuse = false;
  constructor(readonly duration: number) {}
  play() {
    if (this.refuse) return Promise.reject(new Error('NotAllowedError'));
    this.paused = false;
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
  }
  advance(seconds: number) {
    if (!this.paused)
      this.currentTime = Math.min(this.duration, this.currentTime + seconds * this.playbackRate);
  }
}

const setup = (audio?: { duration: number; offset: number }) => {
  let now = 100;
  const element = audio ? new FakeAudio(audio.duration) : undefined;
  let refused = 0;
  const clock = new PlayerClock({
    total: 20,
    now: () => now,
    audio: element && audio ? { element, offset: audio.offset } : undefined,
    onRefused: () => refused++,
  });
  const advance = (s: number) => {
    now += s;
    element?.advance(s);
  };
  return { clock, element, advance, refused: () => refused };
};

const timer = suite('player clock without audio');

timer('a timer drives the time at the chosen rate and stops at the end', () => {
  const { clock, advance } = setup();
  assert.is(clock.time(), 0);
  clock.play();
  advance(2);
  assert.is(clock.time(), 2);
  clock.setRate(2);
  advance(1);
  assert.is(clock.time(), 4);
  clock.pause();
  advance(5);
  assert.is(clock.time(), 4, 'paused time stands still');
  clock.seek(19.5);
  clock.play();
  advance(1);
  assert.ok(clock.tick(), 'tick reports the end');
  assert.is(clock.playing, false);
  assert.is(clock.time(), 20);
  clock.play();
  assert.is(clock.time(), 0, 'play at the end starts over');
});

timer('seek clamps to the timeline; a bad rate falls back to 1', () => {
  const { clock, advance } = setup();
  clock.seek(-5);
  assert.is(clock.time(), 0);
  clock.seek(99);
  assert.is(clock.time(), 20);
  clock.seek(0);
  clock.setRate(Number.NaN);
  clock.play();
  advance(1);
  assert.is(clock.time(), 1);
});

timer.run();

const audio = suite('player clock with call audio');

audio('the audio drives the time where it covers it, the timer before and after', () => {
  const { clock, element, advance } = setup({ duration: 10, offset: 2 });
  clock.play();
  assert.is(clock.source, 'timer', 'before the audio starts');
  advance(1);
  clock.tick();
  advance(1.5);
  clock.tick();
  assert.is(clock.source, 'audio');
  assert.ok(!element!.paused);
  // The audio is the truth: a stall of the element holds the clock.
  element!.pause();
  advance(1);
  assert.is(clock.time(), 2 + element!.currentTime);
  element!.play();
  clock.seek(13);
  assert.is(clock.source, 'timer', 'past the audio');
  assert.ok(element!.paused);
  clock.seek(5);
  assert.is(clock.source, 'audio');
  assert.is(element!.currentTime, 3);
});

audio('when the audio ends early the timer carries on from its end', () => {
  const { clock, element, advance } = setup({ duration: 4, offset: 0 });
  clock.audioReady();
  clock.play();
  advance(4);
  clock.audioEnded();
  assert.is(clock.source, 'timer');
  advance(1);
  assert.is(clock.time(), 5);
  assert.is(element!.playbackRate, 1);
});

audio('a refused play pauses the clock and says so', async () => {
  const { clock, element, refused } = setup({ duration: 10, offset: 0 });
  element!.refuse = true;
  clock.audioReady();
  clock.play();
  await Promise.resolve();
  await Promise.resolve();
  assert.is(clock.playing, false);
  assert.is(refused(), 1);
});

audio.run();
