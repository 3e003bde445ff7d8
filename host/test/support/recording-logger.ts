import type { Logger } from '@deskrec/core';

export interface LogLine {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** A pino-shaped logger that keeps its lines, so tests can check what was logged (and what was not). */
export function recordingLogger(
  lines: LogLine[] = [],
  bindings: Record<string, unknown> = {},
): Logger & {
  lines: LogLine[];
} {
  const at =
    (level: LogLine['level']) =>
    (obj: object | string, msg?: string): void => {
      if (typeof obj === 'string') lines.push({ level, msg: obj, fields: { ...bindings } });
      else lines.push({ level, msg: msg ?? '', fields: { ...bindings, ...obj } });
    };
  return {
    lines,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}
