/** One AMI message: header names lower-cased (AMI is case-insensitive in practice), the last value wins. */
export type AmiMessage = Record<string, string>;

export interface AmiParserHandlers {
  message(message: AmiMessage): void;
  /** A line that is not `Name: value`, or an oversized line; that line is skipped, the message kept. */
  problem(message: string, input: string): void;
  /** The `Asterisk Call Manager/x.y` greeting that opens each connection. */
  banner(line: string): void;
}

/** Longer lines are not AMI; dropping them bounds memory when a peer sends garbage. */
const MAX_LINE = 16 * 1024;

/**
 * Incremental AMI wire parser. Messages end at a blank line (CRLF or LF line endings). Real servers sometimes
 * omit that blank line, so an `Event:` or `Response:` header arriving in a message that already has one
 * starts a new message.
 */
export class AmiParser {
  private buffer = '';
  private headers: AmiMessage = Object.create(null);
  private count = 0;
  private expectBanner = true;
  /** The rest of an oversized line (up to its newline) is dropped too. */
  private discarding = false;

  constructor(private readonly handlers: AmiParserHandlers) {}

  /** Call at the start of each connection: the first line is the banner again. */
  reset(): void {
    this.buffer = '';
    this.discarding = false;
    this.clear();
    this.expectBanner = true;
  }

  push(chunk: string): void {
    const text = this.buffer + chunk;
    // Walk by index and cut once at the end: re-slicing the rest after every line is quadratic in the chunk.
    let from = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', from)) {
      const raw = text.slice(from, newline);
      from = newline + 1;
      if (this.discarding) this.discarding = false;
      else this.line(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    }
    this.buffer = from === 0 ? text : text.slice(from);
    if (this.buffer.length > MAX_LINE) {
      this.handlers.problem(`AMI line longer than ${MAX_LINE} characters dropped`, this.buffer.slice(0, 120));
      this.buffer = '';
      this.discarding = true;
    }
  }

  private line(line: string): void {
    if (this.expectBanner) {
      this.expectBanner = false;
      if (!line.includes(': ')) {
        this.handlers.banner(line);
        return;
      }
    }
    if (line.length > MAX_LINE) {
      this.handlers.problem(`AMI line longer than ${MAX_LINE} characters dropped`, line.slice(0, 120));
      return;
    }
    if (line.trim() === '') {
      this.flush();
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      // Only the line goes: dropping its message would also drop a header-less message's successor (an
      // `Event:` line right after garbage starts a message of its own) and could lose a Hangup.
      this.handlers.problem('AMI line without "Name: value"', line.slice(0, 120));
      return;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (
      (name === 'event' || name === 'response') &&
      ('event' in this.headers || 'response' in this.headers)
    ) {
      this.flush();
    }
    this.headers[name] = value;
    // `ChanVariable: NAME=value` repeats (one per manager.conf `channelvars` entry): each is kept by name too.
    if (name === 'chanvariable' || name.startsWith('chanvariable(')) {
      const equals = value.indexOf('=');
      if (equals > 0)
        this.headers[`chanvariable:${value.slice(0, equals).toLowerCase()}`] = value.slice(equals + 1);
    }
    this.count++;
  }

  private flush(): void {
    if (this.count > 0) this.handlers.message(this.headers);
    this.clear();
  }

  private clear(): void {
    this.headers = Object.create(null);
    this.count = 0;
  }
}

/** Serializes an action; values never contain line breaks (they would inject headers). */
export function amiAction(fields: Record<string, string>): string {
  let text = '';
  for (const [name, value] of Object.entries(fields)) text += `${name}: ${value.replace(/[\r\n]/g, ' ')}\r\n`;
  return `${text}\r\n`;
}
