/**
 * Remembers keys (signatures, event ids) for `retainMs`. Entries expire in
 * insertion order, so a Map serves as the queue. Bounded: when full of live entries it refuses new ones
 * rather than forgetting a live one, which would reopen that delivery to replay.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly retainMs: number,
    private readonly capacity: number,
  ) {}

  has(key: string, nowMs: number): boolean {
    this.expire(nowMs);
    return this.seen.has(key);
  }

  /** Room for `count` more keys at `nowMs`. */
  hasRoom(count: number, nowMs: number): boolean {
    this.expire(nowMs);
    return this.seen.size + count <= this.capacity;
  }

  add(key: string, nowMs: number): void {
    this.seen.delete(key);
    this.seen.set(key, nowMs + this.retainMs);
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(nowMs: number): void {
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt > nowMs) break;
      this.seen.delete(key);
    }
  }
}
