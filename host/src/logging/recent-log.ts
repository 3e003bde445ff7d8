import { type Level } from 'pino';
import { LEVEL_VALUES } from './levels.js';

export interface LogLine {
  time: number;
  level: Level;
  msg: string;
  /** The whole record as logged (bindings and fields), for the System Log page's detail view. */
  fields: Record<string, unknown>;
}

const NAMES = Object.fromEntries(
  Object.entries(LEVEL_VALUES).map(([name, value]) => [value, name]),
) as Record<number, Level>;

/** The last N log lines in memory, so the portal's System Log page needs no file access. */
export class RecentLog {
  private readonly lines: (LogLine | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.lines = new Array(capacity);
  }

  /** pino destination interface: one JSON line per call. */
  write(chunk: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(chunk);
    } catch {
      return;
    }
    const { level, time, msg, ...fields } = record;
    this.lines[this.next] = {
      time: typeof time === 'number' ? time : Date.now(),
      level: NAMES[level as number] ?? 'info',
      msg: typeof msg === 'string' ? msg : '',
      fields,
    };
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Newest first, at or above `minLevel`. */
  query(minLevel: Level = 'trace', limit = 200): LogLine[] {
    const out: LogLine[] = [];
    const floor = LEVEL_VALUES[minLevel];
    for (let i = 1; i <= this.count && out.length < limit; i++) {
      const line = this.lines[(this.next - i + this.capacity) % this.capacity]!;
      if (LEVEL_VALUES[line.level] >= floor) out.push(line);
    }
    return out;
  }
}
