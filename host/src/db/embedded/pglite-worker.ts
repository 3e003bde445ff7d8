import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { type FromWorker, type ToWorker, toWorkerError, type WorkerInit } from './protocol.js';

/*
 * Runs PGlite on its own thread: its WebAssembly executes every statement synchronously, and on the main
 * thread that held up the controller's sends (see ADR 7). Statements are handed to PGlite as they arrive;
 * its own queue runs them one at a time in arrival order.
 */
const port = parentPort;
if (!port) throw new Error('pglite-worker runs as a worker thread');
const { dataDir } = workerData as WorkerInit;
const post = (message: FromWorker) => port.postMessage(message);

try {
  const db = await PGlite.create(dataDir);
  port.on('message', (message: ToWorker) => {
    if ('close' in message) {
      db.close().then(
        () => post({ id: message.id, closed: true }),
        (error) => post({ id: message.id, error: toWorkerError(error) }),
      );
      return;
    }
    db.query(message.sql, [...message.parameters]).then(
      (result) => post({ id: message.id, rows: result.rows, affectedRows: result.affectedRows }),
      (error) => post({ id: message.id, error: toWorkerError(error) }),
    );
  });
  post({ ready: true });
} catch (error) {
  post({ error: toWorkerError(error) });
}
