/**
 * Exponential backoff with jitter: the n-th delay is drawn from [step/2, step] where step = base·2ⁿ, capped.
 * The random half spreads thousands of agents reconnecting after a host restart; the fixed half keeps a
 * single agent from retrying in a tight loop when the draw is low. `reset()` only after a success that held
 * (for the controller: the host answered), so a peer that accepts and drops at once still backs off.
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
    // 2³⁰ already exceeds any cap; stopping there keeps the power finite.
    const step = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
