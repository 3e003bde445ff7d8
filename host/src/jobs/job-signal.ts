import { injectable } from '../di.js';

/**
 * "A job was queued": whoever enqueues one tells the runner here, so it runs now instead of at the next
 * poll. Keeps the orchestrator and the upload service from depending on the runner (whose handlers they are).
 */
@injectable()
export class JobSignal {
  private readonly listeners = new Set<() => void>();

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
