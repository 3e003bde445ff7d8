import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type { Logger } from '@deskrec/core';
import { silentLogger } from '@deskrec/core';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../src/db/open-database.js';
import { tempDir } from './db-harness.js';

/**
 * Restarts a real PostgreSQL server under an open database handle. Needs Debian's PostgreSQL binaries and
 * root (to run them as the postgres user), so it runs with DESKREC_TEST_SYSTEM=1 only.
 */
const BIN = '/usr/lib/postgresql/15/bin';
const test = suite('PostgreSQL restart under the host (system test)');

function skipReason(): string | undefined {
  if (process.env.DESKREC_TEST_SYSTEM !== '1') return 'set DESKREC_TEST_SYSTEM=1 to run it';
  if (!existsSync(`${BIN}/pg_ctl`)) return `${BIN}/pg_ctl is missing (apt-get install postgresql)`;
  if (process.getuid?.() !== 0) return 'it needs root to run PostgreSQL as the postgres user';
  return undefined;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const run = promisify(execFile);
/** Async, so the event loop keeps running and the pool sees its connections drop, as in production. */
const asPostgres = (command: string) => run('su', ['postgres', '-c', command]);

test('queries fail while the server is down, the process lives on, and work again after it is back', async () => {
  const why = skipReason();
  if (why) {
    console.log(`PostgreSQL restart test skipped: ${why}`);
    return;
  }
  const dir = await tempDir('deskrec-pgrestart-');
  const data = `${dir.path}/data`;
  const port = await freePort();
  chmodSync(dir.path, 0o755);
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir.path, uid, gid);
  const ctl = (action: string) =>
    asPostgres(
      `${BIN}/pg_ctl -D ${data} -l ${dir.path}/log -w -o "-p ${port} -k ${dir.path} -c listen_addresses=127.0.0.1" ${action}`,
    );
  await asPostgres(`${BIN}/initdb -D ${data} -U postgres --auth=trust`);
  await ctl('start');
  const warnings: string[] = [];
  const logger: Logger = {
    ...silentLogger,
    warn: (_o: object | string, msg?: string) => void warnings.push(msg ?? ''),
  };
  const handle = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, logger });
  try {
    await handle.ping();
    await ctl('stop -m fast');
    const down = await handle.ping().then(
      () => 'answered',
      (error: Error) => error.message,
    );
    assert.is.not(down, 'answered', 'no answer while the server is down');
    await ctl('start');
    // A connection dropped in the same instant may fail one query; the pool then opens fresh ones.
    let answered = false;
    for (let i = 0; i < 3 && !answered; i++)
      answered = await handle.ping().then(
        () => true,
        () => false,
      );
    assert.ok(answered, 'queries work again after the restart');
    const rows = await handle.db.selectFrom('tenants').select('id').execute();
    assert.equal(rows, [], 'the schema migrated before the restart is there');
    assert.ok(warnings.length >= 1, 'the lost connection was logged');
  } finally {
    await handle.close();
    await ctl('stop -m immediate').catch(() => undefined);
    await dir.remove();
  }
});

test.run();
