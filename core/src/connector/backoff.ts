export interface BackoffOptions {
  /** Ceiling of the first wait, in ms. */
  minMs: number;
  /** Ceiling of every later wait, in ms. */
  maxMs: number;
  /** A number in [0, 1); `Math.random` unless a test fixes it. */
  random?: () => number;
}

/**
 * The wait before reconnect attempt `attempt` (0 for the first retry): exponential with **equal jitter**
 * (AWS's name for it). The ceiling doubles each failure from `minMs` up to `maxMs`; the wait is half the
 * ceiling plus a random share of the other half. So a wait is never below half its ceiling (a source never
 * hammers a refusing PBX), yet many sources reconnecting after one PBX restart spread over that half instead
 * of arriving in lockstep. (Full jitter, a random share of the whole ceiling, can retry at once.)
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.minMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return ceiling / 2 + random() * (ceiling / 2);
}
