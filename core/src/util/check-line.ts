export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of a `doctor` command's output (host and agent): what was checked, how it went, and how to fix it when it did not go well. */
export interface CheckLine {
  check: string;
  status: CheckStatus;
  message: string;
  fix?: string;
}

export const ok = (check: string, message: string): CheckLine => ({ check, status: 'ok', message });
export const warn = (check: string, message: string, fix?: string): CheckLine => ({
  check,
  status: 'warn',
  message,
  ...(fix ? { fix } : {}),
});
export const fail = (check: string, message: string, fix?: string): CheckLine => ({
  check,
  status: 'fail',
  message,
  ...(fix ? { fix } : {}),
});

export function formatLines(lines: readonly CheckLine[]): string {
  return lines
    .map((l) => {
      const head = `[${l.status === 'ok' ? ' ok ' : l.status}] ${l.check}: ${l.message.replaceAll('\n', '\n         ')}`;
      return l.fix ? `${head}\n         fix: ${l.fix}` : head;
    })
    .join('\n');
}
