import type { Kysely } from 'kysely';
import { AdminUsersRepo } from './repos/admin-users.js';
import { AuditRepo } from './repos/audit.js';
import { JobsRepo } from './repos/jobs.js';
import { SessionsRepo } from './repos/sessions.js';
import { SettingsRepo } from './repos/settings.js';
import { StorageTargetsRepo } from './repos/storage-targets.js';
import { TenantsRepo } from './repos/tenants.js';
import { UsersRepo } from './repos/users.js';
import { WorkstationsRepo } from './repos/workstations.js';
import type { Database } from './schema.js';
import { KyselyWorkstationDirectory } from './workstation-directory.js';

/** Every repository over one database handle. */
export function createRepositories(db: Kysely<Database>) {
  const settings = new SettingsRepo(db);
  return {
    tenants: new TenantsRepo(db),
    adminUsers: new AdminUsersRepo(db),
    sessions: new SessionsRepo(db),
    users: new UsersRepo(db),
    workstations: new WorkstationsRepo(db),
    settings,
    storageTargets: new StorageTargetsRepo(db),
    audit: new AuditRepo(db),
    jobs: new JobsRepo(db),
    directory: new KyselyWorkstationDirectory(db, settings),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
