import type { Logger } from '@deskrec/core';
import { silentLogger } from '@deskrec/core';
import { sql } from 'kysely';
import pg from 'pg';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../src/db/open-database.js';
import { dropSchema, freshSchemaName, PG_URL, postgresUnavailable } from './db-harness.js';

const test = suite('PostgreSQL connections lost under the host');

test('server-side terminated connections are logged, not fatal; the next queries reconnect', async () => {
  const why = await postgresUnavailable();
  if (why) return;
  const warnings: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    warn: (_o: object | string, msg?: string) => void warnings.push(msg ?? ''),
  };
  const schema = freshSchemaName();
  const handle = await openDatabase({ url: PG_URL, schema, logger });
  try {
    // Hold several pool clients at once so there are idle connections to kill.
    const pids = await handle.db.connection().execute(async (c1) =>
      handle.db.connection().execute(async (c2) => {
        const a = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(c1);
        const b = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(c2);
        return [a.rows[0]!.pid, b.rows[0]!.pid];
      }),
    );
    // As a server restart or an admin's pg_terminate_backend would do.
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [pids]);
    await admin.end();
    // Idle clients learn of it through an 'error' event; wait until the pool has dropped them.
    for (let i = 0; i < 100 && warnings.length < pids.length; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.ok(warnings.length >= 1, 'the loss was logged');
    let answered = false;
    for (let i = 0; i < 5 && !answered; i++) {
      answered = await handle.ping().then(
        () => true,
        () => false,
      );
    }
    assert.ok(answered, 'queries work again');
    const fresh = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db);
    assert.not.ok(pids.includes(fresh.rows[0]!.pid), 'a new connection serves the query');
  } finally {
    await handle.close();
    await dropSchema(schema);
  }
});

test.run();
