import type { Level } from 'pino';

/** Admins think in trace depths 1–5 (as the settings page shows them); pino in names. */
export const TRACE_LEVELS: Record<1 | 2 | 3 | 4 | 5, Level> = {
  1: 'error',
  2: 'warn',
  3: 'info',
  4: 'debug',
  5: 'trace',
};

export function pinoLevelOf(depth: number): Level {
  return TRACE_LEVELS[Math.min(5, Math.max(1, Math.round(depth))) as 1 | 2 | 3 | 4 | 5];
}

export const LEVEL_VALUES: Record<Level, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};
