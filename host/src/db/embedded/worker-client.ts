import { Worker } from 'node:worker_threads';
import { type FromWorker, fromWorkerError, type ToWorker, type WorkerInit } from './protocol.js';

export interface WorkerQueryResult {
  rows: unknown[];
  affectedRows?: number;
}

interface Pending {
  resolve(value: FromWorker): void;
  reject(error: Error): void;
}

/**
 * Built, the worker is the .js beside this file. Under tsx (tests, benches) this module is a .ts file and so
 * is the worker, which needs tsx registered first: a worker does not get the parent's module hooks.
 */
function newWorker(init: WorkerInit): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData: init });
  }
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const file = JSON.stringify(new URL('./pglite-worker.ts', import.meta.url).href);
  const boot = `import(${tsx}).then((tsx) => { tsx.register(); return import(${file}); })`;
  return new Worker(boot, { eval: true, workerData: init });
}

/**
 * The main thread's end of the embedded database worker. Statements are posted as they come (the worker
 * keeps their order); the worker holds the process open only while a statement is outstanding, so a host
 * that forgets to close does not hang, and one awaiting an answer is not cut short.
 */
export class EmbeddedWorker {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromWorker) => this.answer(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`embedded database worker exited (code ${code})`)));
  }

  static async start(init: WorkerInit): Promise<EmbeddedWorker> {
    const worker = newWorker(init);
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`embedded database worker exited (code ${code})`));
      const onMessage = (message: FromWorker) => {
        worker.off('error', reject);
        worker.off('exit', onExit);
        if ('error' in message) {
          void worker.terminate();
          reject(fromWorkerError(message.error));
        } else resolve();
      };
      worker.once('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', onExit);
    });
    return new EmbeddedWorker(worker);
  }

  async query(sql: string, parameters: readonly unknown[]): Promise<WorkerQueryResult> {
    const answer = await this.send((id) => ({ id, sql, parameters }));
    if ('rows' in answer) return answer;
    throw new Error('embedded database worker answered a query without rows');
  }

  async close(): Promise<void> {
    if (this.failure) return;
    try {
      await this.send((id) => ({ id, close: true }));
    } finally {
      await this.worker.terminate();
    }
  }

  private send(message: (id: number) => ToWorker): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const answer = new Promise<FromWorker>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (this.pending.size === 1) this.worker.ref();
    try {
      this.worker.postMessage(message(id));
    } catch (error) {
      // A parameter that cannot be cloned (a function, a class instance with private state).
      this.settle(id);
      return Promise.reject(error);
    }
    return answer;
  }

  private answer(message: FromWorker): void {
    if (!('id' in message) || message.id === undefined) return;
    const pending = this.settle(message.id);
    if (!pending) return;
    if ('error' in message) pending.reject(fromWorkerError(message.error));
    else pending.resolve(message);
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    return pending;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(this.failure);
    this.pending.clear();
  }
}
