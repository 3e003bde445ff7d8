/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random, so many sources
 * reconnecting after one PBX restart do not arrive in lockstep.
 */
export function backoffDelayMs(attempt: number, minSeconds: number, maxSeconds: number): number {
  const base = Math.min(maxSeconds, minSeconds * 2 ** Math.min(attempt, 30)) * 1000;
  return base / 2 + Math.random() * (base / 2);
}
