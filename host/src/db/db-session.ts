import { CompiledQuery, type Kysely } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

/**
 * One database session of its own, outside the pool: session-level state (advisory locks) lives exactly as
 * long as it. `lost` fires once when the session ends without `close()` (server gone, backend terminated).
 */
export interface DbSession {
  query<R>(text: string, params: unknown[]): Promise<R[]>;
  onLost(listener: (reason: string) => void): void;
  close(): Promise<void>;
}

/** A dedicated PostgreSQL connection, named `applicationName` in pg_stat_activity so other hosts can tell whose it is. */
export async function openPostgresSession(
  url: string,
  applicationName: string,
  options: string | undefined,
): Promise<DbSession> {
  const client = new pg.Client({
    connectionString: url,
    application_name: applicationName,
    // A host cut off without a FIN would otherwise look alive until the OS gives up on the socket.
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    // A query that hangs (the database unreachable without a reset) counts as a lost session, not a held one.
    connectionTimeoutMillis: 10_000,
    query_timeout: 10_000,
    ...(options ? { options } : {}),
  });
  const listeners: ((reason: string) => void)[] = [];
  let ended = false;
  const lost = (reason: string) => {
    if (ended) return;
    ended = true;
    for (const listener of listeners) listener(reason);
  };
  client.on('error', (error) => lost(error.message));
  client.on('end', () => lost('connection closed'));
  await client.connect();
  return {
    query: async <R>(text: string, params: unknown[]) => (await client.query(text, params)).rows as R[],
    onLost: (listener) => void listeners.push(listener),
    close: async () => {
      ended = true;
      await client.end().catch(() => undefined);
    },
  };
}

/** The embedded database has one session, the host's own: it ends only with the host. */
export function embeddedSession(db: Kysely<Database>): DbSession {
  return {
    query: async <R>(text: string, params: unknown[]) =>
      (await db.executeQuery<R>(CompiledQuery.raw(text, params))).rows as R[],
    onLost: () => undefined,
    close: async () => undefined,
  };
}
