import { existsSync } from 'node:fs';
import path from 'node:path';
import { type CheckLine, checkFail, checkOk, checkWarn, silentLogger } from '@deskrec/core';
import { Migrator } from 'kysely';
import type { HostConfig } from '../config/schema.js';
import { provider } from '../db/migrate.js';
import { type DatabaseHandle, openDatabase } from '../db/open-database.js';
import type { RunningHost } from './port-check.js';

const CHECK = 'database';

/** Connects without migrating and reports which migrations the host would still apply. */
async function migrationState(handle: DatabaseHandle, where: string): Promise<CheckLine> {
  const latency = await handle.ping();
  const migrations = await new Migrator({ db: handle.db, provider }).getMigrations();
  const pending = migrations.filter((m) => !m.executedAt).map((m) => m.name);
  const text = `${where} answers in ${latency.toFixed(1)} ms`;
  if (!pending.length) return checkOk(CHECK, `${text}; all ${migrations.length} migrations applied`);
  return checkWarn(
    CHECK,
    `${text}; ${pending.length} of ${migrations.length} migrations pending (${pending.join(', ')})`,
    'the next host start applies them; back the database up first',
  );
}

/**
 * The embedded database is opened only when no host runs on it: two processes on one PGlite folder would
 * corrupt it. A running host is asked instead. Returns the handle for the storage check (caller closes it).
 */
export async function checkDatabase(
  config: HostConfig,
  running: RunningHost | undefined,
): Promise<{ line: CheckLine; handle?: DatabaseHandle }> {
  const url = config.database.url;
  if (!url) {
    const dir = path.join(config.dataDir, 'db');
    if (running) {
      return running.database.ok
        ? {
            line: checkOk(
              CHECK,
              `embedded database in ${dir} is in use by the running host, which reports it healthy`,
            ),
          }
        : {
            line: checkFail(
              CHECK,
              `the running host reports its embedded database down: ${running.database.error ?? 'no detail'}`,
              'see the host log; restart the host',
            ),
          };
    }
    if (!existsSync(dir))
      return { line: checkOk(CHECK, `embedded database not created yet; the first start creates ${dir}`) };
    try {
      const handle = await openDatabase({ embeddedDir: dir, logger: silentLogger, migrate: false });
      return { line: await migrationState(handle, `embedded database in ${dir}`), handle };
    } catch (error) {
      return {
        line: checkFail(
          CHECK,
          `embedded database in ${dir} cannot be opened: ${(error as Error).message}`,
          'restore the folder from a backup, or move it away to start empty',
        ),
      };
    }
  }
  const shown = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  let handle: DatabaseHandle | undefined;
  try {
    handle = await openDatabase({ url, logger: silentLogger, migrate: false });
    return { line: await migrationState(handle, `PostgreSQL at ${shown}`), handle };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    return {
      line: checkFail(
        CHECK,
        `PostgreSQL at ${shown} does not answer: ${(error as Error).message}`,
        'check that the server runs and database.url (or DATABASE_URL) has the right host, port, user and password',
      ),
    };
  }
}
