import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { silentLogger } from '@deskrec/core';
import { sql } from 'kysely';
import { suite } from 'uvu';
import { openDatabase } from '../src/db/open-database.js';
import { tempDir } from './db-harness.js';

const test = suite('embedded database on its worker thread');

async function memoryDatabase() {
  const handle = await openDatabase({ embeddedDir: 'memory://', logger: silentLogger, migrate: false });
  await sql`create table t (id int primary key, note text)`.execute(handle.db);
  return handle;
}

const ids = async (handle: Awaited<ReturnType<typeof memoryDatabase>>) =>
  (await sql<{ id: number }>`select id from t order by id`.execute(handle.db)).rows.map((r) => r.id);

test('a statement issued while another caller holds a transaction stays out of it', async () => {
  const handle = await memoryDatabase();
  try {
    let outside: Promise<unknown> | undefined;
    await handle.db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into t values (1, 'in the transaction')`.execute(trx);
        // Posted while the transaction is open: it must neither join it nor be rolled back with it.
        outside = sql`insert into t values (2, 'outside')`.execute(handle.db);
        await sql`insert into t values (3, 'in the transaction')`.execute(trx);
        throw new Error('roll back');
      })
      .catch((error: Error) => assert.equal(error.message, 'roll back'));
    await outside;
    assert.equal((await ids(handle)).join(), '2');
  } finally {
    await handle.close();
  }
});

test('transactions take turns and statements outside them run in the order posted', async () => {
  const handle = await memoryDatabase();
  try {
    const work = Array.from({ length: 20 }, (_, i) =>
      i % 2
        ? handle.db.transaction().execute(async (trx) => {
            await sql`insert into t values (${i}, 'a')`.execute(trx);
            await sql`update t set note = 'b' where id = ${i}`.execute(trx);
          })
        : sql`insert into t values (${i}, 'plain')`.execute(handle.db),
    );
    await Promise.all(work);
    assert.equal((await ids(handle)).length, 20);
    const notes = await sql<{ note: string }>`select distinct note from t order by note`.execute(handle.db);
    assert.deepEqual(
      notes.rows.map((r) => r.note),
      ['b', 'plain'],
    );
  } finally {
    await handle.close();
  }
});

test('a PostgreSQL error crosses the thread with its code and constraint', async () => {
  const handle = await memoryDatabase();
  try {
    await sql`insert into t values (1, 'x')`.execute(handle.db);
    const error = await sql`insert into t values (1, 'y')`.execute(handle.db).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string; constraint?: string },
    );
    assert.ok(error, 'the duplicate key is refused');
    assert.equal(error.code, '23505');
    assert.equal(error.constraint, 't_pkey');
    assert.match(error.message, /duplicate key/);
    assert.equal((await ids(handle)).join(), '1', 'the session is usable after an error');
  } finally {
    await handle.close();
  }
});

test('rows written to a data folder are there after close and reopen', async () => {
  const dir = await tempDir('deskrec-embedded-');
  try {
    const first = await openDatabase({ embeddedDir: dir.path, logger: silentLogger, migrate: false });
    await sql`create table kept (v text)`.execute(first.db);
    await sql`insert into kept values ('survives')`.execute(first.db);
    await first.close();
    const second = await openDatabase({ embeddedDir: dir.path, logger: silentLogger, migrate: false });
    const rows = await sql<{ v: string }>`select v from kept`.execute(second.db);
    await second.close();
    assert.deepEqual(rows.rows, [{ v: 'survives' }]);
  } finally {
    await dir.remove();
  }
});

test('a process that never closes the database still exits, after its last answer', async () => {
  const script = `
    import { openDatabase } from ${JSON.stringify(new URL('../src/db/open-database.ts', import.meta.url).href)};
    import { silentLogger } from '@deskrec/core';
    const handle = await openDatabase({ embeddedDir: 'memory://', logger: silentLogger, migrate: false });
    console.log(await handle.ping() >= 0 ? 'answered' : 'no answer');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: new URL('.', import.meta.url),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  // Liveness only: a worker left referenced would keep the child running until this kills it.
  const killer = setTimeout(() => child.kill(), 120_000);
  const [code] = await once(child, 'exit');
  clearTimeout(killer);
  assert.equal(out.trim(), 'answered', 'the query was answered before the process ended');
  assert.equal(code, 0, 'the process ended on its own');
});

test.run();
