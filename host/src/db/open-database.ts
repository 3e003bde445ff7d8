import { mkdirSync } from 'node:fs';
import type { Logger } from '@deskrec/core';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type DbSession, embeddedSession, openPostgresSession } from './db-session.js';
import { EmbeddedWorkerDialect } from './embedded/worker-dialect.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';

export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent the embedded database is used. */
  url?: string;
  /** Folder of the embedded database; `memory://` keeps it in memory (tests). */
  embeddedDir?: string;
  /** PostgreSQL schema to use (created when missing); tests isolate themselves this way. */
  schema?: string;
  logger: Logger;
  /** Run migrations on open (default true). */
  migrate?: boolean;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'postgres' | 'embedded';
  /** Round-trip time of a trivial query; throws when the database does not answer. */
  ping(): Promise<number>;
  close(): Promise<void>;
  /** A session of its own (not pooled) for session-level locks; on the embedded database, its one session. */
  openSession(applicationName: string): Promise<DbSession>;
}

const INT8_OID = 20;

/**
 * pg returns int8 (bigint, count(*)) as strings, PGlite as numbers: this is the one place that makes both
 * numbers. Values beyond 2^53 do not occur here (ids and byte counts stay far below).
 */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid schema name "${name}"`);
  return `"${name}"`;
}

function openPostgres(url: string, schema: string | undefined, logger: Logger): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    types: pgTypes,
    max: 10,
    ...(schema ? { options: `-c search_path=${quoteIdent(schema)}` } : {}),
  });
  // An idle client whose server went away emits 'error' on the pool; without a listener the process dies.
  pool.on('error', (error) =>
    logger.warn({ err: error.message }, 'PostgreSQL connection lost; will reconnect'),
  );
  // A checked-out client emits its own 'error' (e.g. the server restarts mid-query); the query then rejects.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error.message }, 'PostgreSQL client error'));
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** PGlite on a worker thread: its statements run as WebAssembly, which would otherwise hold up the main thread. */
function openEmbedded(dir: string): Kysely<Database> {
  if (!dir.startsWith('memory://')) mkdirSync(dir, { recursive: true });
  return new Kysely<Database>({ dialect: new EmbeddedWorkerDialect(dir) });
}

/** Opens PostgreSQL or the embedded database and runs the same migrations on either. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const kind = options.url ? 'postgres' : 'embedded';
  const db = options.url
    ? openPostgres(options.url, options.schema, options.logger)
    : openEmbedded(options.embeddedDir ?? 'memory://');
  try {
    if (options.schema) {
      await sql.raw(`create schema if not exists ${quoteIdent(options.schema)}`).execute(db);
      // The pool sets search_path per connection; PGlite has one session, so set it once.
      if (kind === 'embedded') await sql.raw(`set search_path to ${quoteIdent(options.schema)}`).execute(db);
    }
    if (options.migrate !== false) {
      const applied = await migrateToLatest(db);
      if (applied.length) options.logger.info({ applied, kind }, 'Database migrated');
    }
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return {
    db,
    kind,
    async ping() {
      const started = performance.now();
      await sql`select 1`.execute(db);
      return performance.now() - started;
    },
    close: () => db.destroy(),
    openSession: async (applicationName) =>
      options.url
        ? openPostgresSession(
            options.url,
            applicationName,
            options.schema ? `-c search_path=${quoteIdent(options.schema)}` : undefined,
          )
        : embeddedSession(db),
  };
}
