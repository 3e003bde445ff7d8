import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { migrate0001Down, migrate0001Up } from './migrations/0001-initial.js';
import { migrate0002Down, migrate0002Up } from './migrations/0002-call-legs.js';
import { migrate0003Down, migrate0003Up } from './migrations/0003-call-audio-fetch.js';
import { migrate0004Down, migrate0004Up } from './migrations/0004-call-confirmation.js';
import { migrate0005Down, migrate0005Up } from './migrations/0005-upload-token-renewal.js';
import { migrate0006Down, migrate0006Up } from './migrations/0006-hosts.js';
import { migrate0007Down, migrate0007Up } from './migrations/0007-workstation-addresses.js';
import { migrate0008Down, migrate0008Up } from './migrations/0008-tenants.js';
import { migrate0009Down, migrate0009Up } from './migrations/0009-admin-security.js';
import { migrate0010Down, migrate0010Up } from './migrations/0010-admin-identities.js';
import { migrate0013Down, migrate0013Up } from './migrations/0013-upload-signing-keys.js';
import { migrate0014Down, migrate0014Up } from './migrations/0014-tamper-evidence.js';
import { migrate0015Down, migrate0015Up } from './migrations/0015-retention.js';
import type { Database } from './schema.js';

/** Migrations live in code (not files on disk), so the bundled host and the tests run the same set. */
export const provider: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001-initial': { up: migrate0001Up, down: migrate0001Down },
      '0002-call-legs': { up: migrate0002Up, down: migrate0002Down },
      '0003-call-audio-fetch': { up: migrate0003Up, down: migrate0003Down },
      '0004-call-confirmation': { up: migrate0004Up, down: migrate0004Down },
      '0005-upload-token-renewal': { up: migrate0005Up, down: migrate0005Down },
      '0006-hosts': { up: migrate0006Up, down: migrate0006Down },
      '0007-workstation-addresses': { up: migrate0007Up, down: migrate0007Down },
      '0008-tenants': { up: migrate0008Up, down: migrate0008Down },
      '0009-admin-security': { up: migrate0009Up, down: migrate0009Down },
      '0010-admin-identities': { up: migrate0010Up, down: migrate0010Down },
      '0013-upload-signing-keys': { up: migrate0013Up, down: migrate0013Down },
      '0014-tamper-evidence': { up: migrate0014Up, down: migrate0014Down },
      '0015-retention': { up: migrate0015Up, down: migrate0015Down },
    };
  },
};

/** Brings the schema to the latest version; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  // Named explicitly: without it Kysely looks for its lock table in every schema, and another
  // deployment's (or test run's) tables in the same database would be taken for ours.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const migrator = new Migrator({ db, provider, migrationTableSchema: rows[0]!.schema });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const name = failed ? ` "${failed.migrationName}"` : '';
    throw new Error(`Database migration${name} failed: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
