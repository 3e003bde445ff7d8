/** Keeps the last `size` lines of a child's stderr; progress lines ending in `\r` count as lines. */
export class StderrTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly size = 20) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r\n|\r|\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (!line.trim()) continue;
      this.lines.push(line);
      if (this.lines.length > this.size) this.lines.shift();
    }
  }

  get(): string[] {
    return this.partial.trim() ? [...this.lines, this.partial].slice(-this.size) : [...this.lines];
  }
}
