import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@deskrec/core';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../src/db/open-database.js';

/** Test database server: PostgreSQL 15 on this machine (trust auth). */
export const PG_URL = process.env.DESKREC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let reachable: Promise<string | undefined> | undefined;

/** Undefined when PostgreSQL answers; otherwise why not (printed once, and its tests are skipped). */
export function postgresUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      const why = `PostgreSQL at ${PG_URL} is unreachable (${(error as Error).message}); its tests are skipped`;
      console.log(why);
      return why;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

export function freshSchemaName(): string {
  return `deskrec_test_${randomBytes(6).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  handle: DatabaseHandle;
  cleanup(): Promise<void>;
}

export type DatabaseKind = 'embedded' | 'postgres';

/** A migrated, empty database of the kind: in-memory PGlite, or a fresh schema in PostgreSQL. */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const handle = await openDatabase({ embeddedDir: 'memory://', logger: silentLogger });
    return { handle, cleanup: () => handle.close() };
  }
  const schema = freshSchemaName();
  const handle = await openDatabase({ url: PG_URL, schema, logger: silentLogger });
  return {
    handle,
    async cleanup() {
      await handle.close();
      await dropSchema(schema);
    },
  };
}

/** The database kinds to test here: both, or embedded only with the reason printed. */
export async function databaseKinds(): Promise<DatabaseKind[]> {
  return (await postgresUnavailable()) ? ['embedded'] : ['embedded', 'postgres'];
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
