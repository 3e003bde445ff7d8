import { type DependencyContainer, Lifecycle, resolve } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import { AdminIdentitiesRepo } from './repos/admin-identities.js';
import { AdminUsersRepo } from './repos/admin-users.js';
import { AuditRepo } from './repos/audit.js';
import { AuditExportRepo } from './repos/audit-export.js';
import { CallLegsRepo } from './repos/call-legs.js';
import { CallSearchRepo } from './repos/call-search.js';
import { CallsRepo } from './repos/calls.js';
import { HostsRepo } from './repos/hosts.js';
import { JobsRepo } from './repos/jobs.js';
import { ManifestsRepo } from './repos/manifests.js';
import { MediaRepo } from './repos/media.js';
import { RecordingsRepo } from './repos/recordings.js';
import { RetentionRepo } from './repos/retention.js';
import { RetentionPoliciesRepo } from './repos/retention-policies.js';
import { SecondFactorRepo } from './repos/second-factor.js';
import { SegmentsRepo } from './repos/segments.js';
import { SessionsRepo } from './repos/sessions.js';
import { SettingsRepo } from './repos/settings.js';
import { SigningKeysRepo } from './repos/signing-keys.js';
import { StorageTargetsRepo } from './repos/storage-targets.js';
import { TenantsRepo } from './repos/tenants.js';
import { UploadGrantsRepo } from './repos/upload-grants.js';
import { UsersRepo } from './repos/users.js';
import { WorkstationDetailsRepo } from './repos/workstation-details.js';
import { KyselyWorkstationDirectory } from './repos/workstation-directory.js';
import { WorkstationsRepo } from './repos/workstations.js';
import type { Repositories } from './repositories.js';

// biome-ignore lint/suspicious/noExplicitAny: any constructor; its parameters are injected by token
type Class<T> = new (...args: any[]) => T;

/** One instance per container: the host's container, or the scope of one transaction. */
const scoped = { lifecycle: Lifecycle.ContainerScoped } as const;

/** Registers each class under its token, one instance per container. */
export function classes(c: DependencyContainer, entries: [symbol, Class<unknown>][]): void {
  for (const [token, cls] of entries) c.register(token, { useClass: cls }, scoped);
}

/** A factory resolved once per container. */
export function once<T>(c: DependencyContainer, token: symbol, make: (c: DependencyContainer) => T): void {
  const made = new WeakMap<DependencyContainer, T>();
  c.register(token, {
    useFactory: (at) => {
      if (!made.has(at)) made.set(at, make(at));
      return made.get(at)!;
    },
  });
}

/**
 * Every repository over the container's `HOST_TOKENS.Database` (and clock). Registered per container, so a
 * child container with a transaction as its database gets repositories over that transaction.
 */
export function registerRepositories(c: DependencyContainer): void {
  classes(c, [
    [HOST_TOKENS.TenantsRepo, TenantsRepo],
    [HOST_TOKENS.AdminUsersRepo, AdminUsersRepo],
    [HOST_TOKENS.SessionsRepo, SessionsRepo],
    [HOST_TOKENS.AdminIdentitiesRepo, AdminIdentitiesRepo],
    [HOST_TOKENS.UsersRepo, UsersRepo],
    [HOST_TOKENS.WorkstationsRepo, WorkstationsRepo],
    [HOST_TOKENS.SettingsRepo, SettingsRepo],
    [HOST_TOKENS.StorageTargetsRepo, StorageTargetsRepo],
    [HOST_TOKENS.AuditRepo, AuditRepo],
    [HOST_TOKENS.JobsRepo, JobsRepo],
    [HOST_TOKENS.HostsRepo, HostsRepo],
    [HOST_TOKENS.SegmentsRepo, SegmentsRepo],
    [HOST_TOKENS.CallsRepo, CallsRepo],
    [HOST_TOKENS.CallLegsRepo, CallLegsRepo],
    [HOST_TOKENS.RecordingsRepo, RecordingsRepo],
    [HOST_TOKENS.UploadGrantsRepo, UploadGrantsRepo],
    [HOST_TOKENS.MediaRepo, MediaRepo],
    [HOST_TOKENS.CallSearchRepo, CallSearchRepo],
    [HOST_TOKENS.WorkstationDetailsRepo, WorkstationDetailsRepo],
    [HOST_TOKENS.WorkstationDirectory, KyselyWorkstationDirectory],
    [HOST_TOKENS.SigningKeysRepo, SigningKeysRepo],
    [HOST_TOKENS.ManifestsRepo, ManifestsRepo],
    [HOST_TOKENS.SecondFactorRepo, SecondFactorRepo],
    [HOST_TOKENS.RetentionPoliciesRepo, RetentionPoliciesRepo],
    [HOST_TOKENS.RetentionRepo, RetentionRepo],
    [HOST_TOKENS.AuditExportRepo, AuditExportRepo],
  ]);
  once(
    c,
    HOST_TOKENS.Repositories,
    (at): Repositories => ({
      tenants: resolve(at, HOST_TOKENS.TenantsRepo),
      adminUsers: resolve(at, HOST_TOKENS.AdminUsersRepo),
      sessions: resolve(at, HOST_TOKENS.SessionsRepo),
      adminIdentities: resolve(at, HOST_TOKENS.AdminIdentitiesRepo),
      users: resolve(at, HOST_TOKENS.UsersRepo),
      workstations: resolve(at, HOST_TOKENS.WorkstationsRepo),
      settings: resolve(at, HOST_TOKENS.SettingsRepo),
      storageTargets: resolve(at, HOST_TOKENS.StorageTargetsRepo),
      audit: resolve(at, HOST_TOKENS.AuditRepo),
      jobs: resolve(at, HOST_TOKENS.JobsRepo),
      segments: resolve(at, HOST_TOKENS.SegmentsRepo),
      calls: resolve(at, HOST_TOKENS.CallsRepo),
      callLegs: resolve(at, HOST_TOKENS.CallLegsRepo),
      recordings: resolve(at, HOST_TOKENS.RecordingsRepo),
      uploadGrants: resolve(at, HOST_TOKENS.UploadGrantsRepo),
      media: resolve(at, HOST_TOKENS.MediaRepo),
      callSearch: resolve(at, HOST_TOKENS.CallSearchRepo),
      workstationDetails: resolve(at, HOST_TOKENS.WorkstationDetailsRepo),
      directory: resolve(at, HOST_TOKENS.WorkstationDirectory) as KyselyWorkstationDirectory,
      signingKeys: resolve(at, HOST_TOKENS.SigningKeysRepo),
      manifests: resolve(at, HOST_TOKENS.ManifestsRepo),
      secondFactor: resolve(at, HOST_TOKENS.SecondFactorRepo),
      retentionPolicies: resolve(at, HOST_TOKENS.RetentionPoliciesRepo),
      retention: resolve(at, HOST_TOKENS.RetentionRepo),
      auditExport: resolve(at, HOST_TOKENS.AuditExportRepo),
    }),
  );
}
