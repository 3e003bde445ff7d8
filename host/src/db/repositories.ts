import { type Clock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { container, resolve } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import { registerRepositories } from './register-repositories.js';
import type { AdminIdentitiesRepo } from './repos/admin-identities.js';
import type { AdminUsersRepo } from './repos/admin-users.js';
import type { AuditRepo } from './repos/audit.js';
import type { AuditExportRepo } from './repos/audit-export.js';
import type { CallLegsRepo } from './repos/call-legs.js';
import type { CallSearchRepo } from './repos/call-search.js';
import type { CallsRepo } from './repos/calls.js';
import type { JobsRepo } from './repos/jobs.js';
import type { ManifestsRepo } from './repos/manifests.js';
import type { MediaRepo } from './repos/media.js';
import type { RecordingsRepo } from './repos/recordings.js';
import type { RetentionRepo } from './repos/retention.js';
import type { RetentionPoliciesRepo } from './repos/retention-policies.js';
import type { SecondFactorRepo } from './repos/second-factor.js';
import type { SegmentsRepo } from './repos/segments.js';
import type { SessionsRepo } from './repos/sessions.js';
import type { SettingsRepo } from './repos/settings.js';
import type { SigningKeysRepo } from './repos/signing-keys.js';
import type { StorageTargetsRepo } from './repos/storage-targets.js';
import type { TenantsRepo } from './repos/tenants.js';
import type { UploadGrantsRepo } from './repos/upload-grants.js';
import type { UsersRepo } from './repos/users.js';
import type { WorkstationDetailsRepo } from './repos/workstation-details.js';
import type { KyselyWorkstationDirectory } from './repos/workstation-directory.js';
import type { WorkstationsRepo } from './repos/workstations.js';
import type { Database } from './schema.js';

/** Every repository of the host: all its SQL. */
export interface Repositories {
  tenants: TenantsRepo;
  adminUsers: AdminUsersRepo;
  sessions: SessionsRepo;
  adminIdentities: AdminIdentitiesRepo;
  users: UsersRepo;
  workstations: WorkstationsRepo;
  settings: SettingsRepo;
  storageTargets: StorageTargetsRepo;
  audit: AuditRepo;
  jobs: JobsRepo;
  segments: SegmentsRepo;
  calls: CallsRepo;
  callLegs: CallLegsRepo;
  recordings: RecordingsRepo;
  uploadGrants: UploadGrantsRepo;
  media: MediaRepo;
  callSearch: CallSearchRepo;
  workstationDetails: WorkstationDetailsRepo;
  directory: KyselyWorkstationDirectory;
  signingKeys: SigningKeysRepo;
  manifests: ManifestsRepo;
  secondFactor: SecondFactorRepo;
  retentionPolicies: RetentionPoliciesRepo;
  retention: RetentionRepo;
  auditExport: AuditExportRepo;
}

/**
 * Every repository over one database handle or transaction, resolved from a container of their own (the
 * same registrations as the host's), for work outside the running host: a transaction, the doctor, tests.
 */
export function createRepositories(db: Kysely<Database>, clock: Clock): Repositories {
  const scope = container.createChildContainer();
  scope.register(HOST_TOKENS.Database, { useValue: db });
  scope.register(TOKENS.Clock, { useValue: clock });
  registerRepositories(scope);
  return resolve(scope, HOST_TOKENS.Repositories);
}
