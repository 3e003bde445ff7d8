/**
 * Exponential backoff with jitter: the wait doubles per failed attempt up to `maxSeconds`; half of it is
 * random so many hosts reconnecting after one PBX restart do not arrive together.
 */
export function backoffDelayMs(attempt: number, minSeconds: number, maxSeconds: number): number {
  const base = Math.min(maxSeconds, minSeconds * 2 ** Math.min(attempt, 30)) * 1000;
  return base / 2 + Math.random() * (base / 2);
}
