/**
 * Guards one live-call query against the events that arrive while it is in flight. A PBX answers "which
 * channels are live" as of the moment it read the question; events after that are newer. So a channel is
 * stale (ended by the reconciliation) only when it was tracked before the question, is missing from the
 * answer, and saw no event since; a live channel in the answer is new only when it did not end since.
 */
export class ReconcileWindow<K = string> {
  private readonly before: Set<K>;
  private readonly touched = new Set<K>();
  private readonly ended = new Set<K>();

  constructor(trackedWhenAsked: Iterable<K>) {
    this.before = new Set(trackedWhenAsked);
  }

  /** An event about `key` arrived while the query was out. */
  touch(key: K): void {
    this.touched.add(key);
  }

  /** `key` ended while the query was out. */
  end(key: K): void {
    this.ended.add(key);
  }

  /** Tracked keys the PBX no longer has. */
  stale(live: ReadonlySet<K>): K[] {
    return [...this.before].filter((key) => !live.has(key) && !this.touched.has(key) && !this.ended.has(key));
  }

  /** False when `key` ended after the question was asked: the answer is older than that. */
  stillLive(key: K): boolean {
    return !this.ended.has(key);
  }
}
