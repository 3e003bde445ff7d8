/**
 * Which (session, object) pairs already have a playback audit row. A player asks for many byte ranges
 * while seeking; the first request of each playback writes the row, later ranges of the same playback do
 * not. A request from byte 0 (a fresh load or a download) always writes one. Bounded: it forgets when full,
 * which only costs an extra row.
 */
export class AuditedPlaybacks {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  needsRow(sessionId: string, objectId: string, fromStart: boolean): boolean {
    return fromStart || !this.seen.has(`${sessionId}|${objectId}`);
  }

  remember(sessionId: string, objectId: string): void {
    if (this.seen.size >= this.capacity) this.seen.clear();
    this.seen.add(`${sessionId}|${objectId}`);
  }
}
