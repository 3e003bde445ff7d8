import { backoffDelayMs } from '@deskrec/core';

/**
 * The agent's reconnect and upload retry schedule: core's connector backoff (exponential, equal jitter),
 * with the attempt count kept here. The random half spreads thousands of agents reconnecting after a host
 * restart; the fixed half keeps one agent from retrying in a tight loop. `reset()` only after a success
 * that held (for the controller: the host answered), so a peer that accepts and drops at once still backs off.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {
    if (!(baseMs > 0) || !(maxMs >= baseMs))
      throw new RangeError(`backoff needs 0 < base (${baseMs}) ≤ max (${maxMs})`);
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    return Math.round(
      backoffDelayMs(this.attempt++, { minMs: this.baseMs, maxMs: this.maxMs, random: this.random }),
    );
  }

  reset(): void {
    this.attempt = 0;
  }
}
