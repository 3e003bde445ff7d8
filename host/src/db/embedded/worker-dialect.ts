import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { EmbeddedWorker } from './worker-client.js';

/** Kysely over PGlite in a worker thread (see EmbeddedWorker). */
export class EmbeddedWorkerDialect implements Dialect {
  constructor(private readonly dataDir: string) {}

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new EmbeddedWorkerDriver(this.dataDir);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/**
 * PGlite has one session, so a transaction must have it to itself; statements outside a transaction do not
 * need a connection of their own, and are posted without waiting for one another (the worker keeps their
 * order). So a connection here is a handle, and the only lock is the transaction's.
 */
class EmbeddedWorkerDriver implements Driver {
  private worker: EmbeddedWorker | undefined;
  private transactionOwner: WorkerConnection | undefined;
  private waiting: (() => void)[] = [];

  constructor(private readonly dataDir: string) {}

  async init(): Promise<void> {
    this.worker = await EmbeddedWorker.start({ dataDir: this.dataDir });
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.worker) throw new Error('The embedded database is closed');
    return new WorkerConnection(this.worker, this);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const conn = connection as WorkerConnection;
    while (this.transactionOwner) await this.nextTurn();
    this.transactionOwner = conn;
    const mode = [
      settings.isolationLevel ? `isolation level ${settings.isolationLevel}` : '',
      settings.accessMode ?? '',
    ]
      .filter(Boolean)
      .join(' ');
    try {
      await conn.executeQuery(CompiledQuery.raw(mode ? `start transaction ${mode}` : 'begin'));
    } catch (error) {
      this.endTransaction(conn);
      throw error;
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.finish(connection as WorkerConnection, 'commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.finish(connection as WorkerConnection, 'rollback');
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    // Kysely commits or rolls back before it releases; this only guards against a lock left behind.
    this.endTransaction(connection as WorkerConnection);
  }

  async destroy(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.close();
  }

  /** Whether another connection's transaction holds the session. */
  blocks(conn: WorkerConnection): boolean {
    return this.transactionOwner !== undefined && this.transactionOwner !== conn;
  }

  nextTurn(): Promise<void> {
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private async finish(conn: WorkerConnection, statement: 'commit' | 'rollback'): Promise<void> {
    try {
      await conn.executeQuery(CompiledQuery.raw(statement));
    } finally {
      this.endTransaction(conn);
    }
  }

  private endTransaction(conn: WorkerConnection): void {
    if (this.transactionOwner !== conn) return;
    this.transactionOwner = undefined;
    // Everyone waiting looks again, in the order they came; the first `begin` among them takes the lock.
    for (const wake of this.waiting.splice(0)) wake();
  }
}

class WorkerConnection implements DatabaseConnection {
  constructor(
    private readonly worker: EmbeddedWorker,
    private readonly driver: EmbeddedWorkerDriver,
  ) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    // The check and the post happen in one tick, so no `begin` can slip in between them.
    while (this.driver.blocks(this)) await this.driver.nextTurn();
    const result = await this.worker.query(compiledQuery.sql, compiledQuery.parameters);
    return {
      rows: result.rows as R[],
      ...(result.affectedRows ? { numAffectedRows: BigInt(result.affectedRows) } : {}),
    };
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0)
      throw new Error('chunkSize must be a positive integer');
    const { rows } = await this.executeQuery<R>(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}
