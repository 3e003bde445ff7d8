/**
 * Cuts text into lines (LF or CRLF). A line longer than `maxBytes` is dropped as a whole and reported once,
 * so a peer that never sends a newline cannot grow memory without bound.
 */
export class LineSplitter {
  private buffer = '';
  private discarding = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverlong: (start: string) => void,
  ) {}

  push(chunk: string): void {
    let text = this.buffer + chunk;
    this.buffer = '';
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n')) {
      const line = text.slice(0, newline).replace(/\r$/, '');
      text = text.slice(newline + 1);
      if (this.discarding) {
        this.discarding = false;
        continue;
      }
      if (Buffer.byteLength(line) > this.maxBytes) this.onOverlong(line);
      else this.onLine(line);
    }
    if (this.discarding) return;
    if (Buffer.byteLength(text) > this.maxBytes) {
      this.discarding = true;
      this.onOverlong(text);
      return;
    }
    this.buffer = text;
  }

  /** Forgets a partial line, e.g. when the connection is lost mid-line. */
  reset(): void {
    this.buffer = '';
    this.discarding = false;
  }
}
