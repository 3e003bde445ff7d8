import { injectable } from '../di.js';
export interface TaskOptions {
  /**
   * Whether a decision taken outside the queue must wait for this task (see `isClear`). A task whose effects
   * on memory were applied before it was queued (it only writes them down) does not hold anything back.
   */
  holds?: boolean;
}

/**
 * The orchestrator's work queue. A task names what it reads and writes (`keys`: a call, a leg, a workstation);
 * it runs after every earlier task sharing a key, so tasks on different calls and workstations run side by
 * side (the database pool works in parallel), while each call and each workstation sees its events in order.
 * A task without keys may touch anything: it waits for all earlier tasks, and all later ones wait for it.
 */
@injectable()
export class TaskQueue {
  private barrier: Promise<void> = Promise.resolve();
  private readonly last = new Map<string, Promise<void>>();
  /** Unfinished keyed tasks queued since the last keyless one: the next keyless task waits for these and it. */
  private sinceBarrier = new Set<Promise<void>>();
  private opaque = 0;
  private readonly held = new Map<string, number>();

  run<T>(keys: readonly string[] | undefined, work: () => Promise<T>, options: TaskOptions = {}): Promise<T> {
    const holds = options.holds ?? true;
    const before = keys
      ? [this.barrier, ...keys.flatMap((key) => this.last.get(key) ?? [])]
      : [this.barrier, ...this.sinceBarrier];
    if (holds) this.hold(keys, 1);
    const since = keys ? this.sinceBarrier : undefined;
    // Released before the caller hears the result, so a decision taken then sees the task as finished.
    const result = Promise.all(before)
      .then(work)
      .finally(() => {
        if (holds) this.hold(keys, -1);
        since?.delete(done);
        if (keys) for (const key of keys) if (this.last.get(key) === done) this.last.delete(key);
      });
    const done: Promise<void> = result.then(
      () => undefined,
      () => undefined,
    );
    if (keys) {
      for (const key of keys) this.last.set(key, done);
      this.sinceBarrier.add(done);
    } else {
      this.barrier = done;
      this.sinceBarrier = new Set();
    }
    return result;
  }

  /** Whether no queued or running task that holds decisions back may change anything named by `keys`. */
  isClear(keys: readonly string[]): boolean {
    return this.opaque === 0 && keys.every((key) => !this.held.has(key));
  }

  private hold(keys: readonly string[] | undefined, delta: 1 | -1): void {
    if (!keys) {
      this.opaque += delta;
      return;
    }
    for (const key of keys) {
      const count = (this.held.get(key) ?? 0) + delta;
      if (count > 0) this.held.set(key, count);
      else this.held.delete(key);
    }
  }
}
