/** Messages between the host's main thread and the embedded database's worker thread. */

export interface WorkerInit {
  /** PGlite data directory, or `memory://`. */
  dataDir: string;
}

export type ToWorker =
  | { id: number; sql: string; parameters: readonly unknown[] }
  | { id: number; close: true };

/** The fields of a PostgreSQL error that callers read (`code` above all: 23505 is a unique violation). */
export interface WorkerError {
  message: string;
  fields: Record<string, string | number>;
}

export type FromWorker =
  | { ready: true }
  | { id: number; rows: unknown[]; affectedRows?: number }
  | { id: number; closed: true }
  | { id?: number; error: WorkerError };

/** Own string and number fields of a thrown value, so a structured clone keeps `code`, `detail`, `constraint`. */
export function toWorkerError(error: unknown): WorkerError {
  if (!(error instanceof Error)) return { message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return { message: error.message, fields };
}

export function fromWorkerError(error: WorkerError): Error {
  return Object.assign(new Error(error.message), { name: 'DatabaseError' }, error.fields);
}
