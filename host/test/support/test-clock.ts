import type { Clock } from '@deskrec/core';

/**
 * The host clock for tests, registered in place of the system clock (`TOKENS.Clock`): it starts at the real
 * time and then moves only when the test advances it, plus one millisecond per reading (so two events read
 * in turn are still ordered). Wrap-up and maximum-duration stops, whose jobs run at a clock time, come
 * exactly when the test says, however slow the machine is.
 */
export class TestClock implements Clock {
  private ms = Date.now();

  now(): Date {
    this.ms += 1;
    return new Date(this.ms);
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
