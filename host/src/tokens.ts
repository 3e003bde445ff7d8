import { type AuthPolicy, type PluginManifest, type Token, token } from '@deskrec/core';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { ControllerHooks } from './api/deps.js';
import type { HostConfig } from './config/schema.js';
import type { DatabaseHandle } from './db/open-database.js';
import type { Repositories } from './db/repositories.js';
import type { Database } from './db/schema.js';
import type { HostLogging } from './logging/create-logging.js';
import type { AgentChannel, WorkstationDirectory } from './workstations/ports.js';

const t = <T>(name: string): Token<T> => token<T>(`deskrec.host.${name}`);

/**
 * The host's DI tokens (core's TOKENS cover logger, clock and the plugin registry). The composition root
 * (app/composition-root.ts) registers a provider for each; classes name them in `@inject(...)`.
 */
export const HOST_TOKENS = {
  // What the start-up builds before the container wires the rest.
  Config: t<HostConfig>('Config'),
  Logging: t<HostLogging>('Logging'),
  DatabaseHandle: t<DatabaseHandle>('DatabaseHandle'),
  Database: t<Kysely<Database>>('Database'),
  StorageKinds: t<ReadonlyMap<string, PluginManifest<'storage'>>>('StorageKinds'),
  AuthPolicy: t<AuthPolicy>('AuthPolicy'),
  /** Aborted when the host stops. */
  ShutdownSignal: t<AbortSignal>('ShutdownSignal'),
  /** The tenant of events that name none (single-tenant call sources). */
  DefaultTenantId: t<string>('DefaultTenantId'),
  /** This host's id in the cluster (stable per data folder). */
  HostId: t<string>('HostId'),

  // Repositories: all the host's SQL.
  Repositories: t<Repositories>('Repositories'),
  TenantsRepo: t<import('./db/repos/tenants.js').TenantsRepo>('TenantsRepo'),
  AdminUsersRepo: t<import('./db/repos/admin-users.js').AdminUsersRepo>('AdminUsersRepo'),
  SessionsRepo: t<import('./db/repos/sessions.js').SessionsRepo>('SessionsRepo'),
  AdminIdentitiesRepo: t<import('./db/repos/admin-identities.js').AdminIdentitiesRepo>('AdminIdentitiesRepo'),
  SecondFactorRepo: t<import('./db/repos/second-factor.js').SecondFactorRepo>('SecondFactorRepo'),
  UsersRepo: t<import('./db/repos/users.js').UsersRepo>('UsersRepo'),
  WorkstationsRepo: t<import('./db/repos/workstations.js').WorkstationsRepo>('WorkstationsRepo'),
  SettingsRepo: t<import('./db/repos/settings.js').SettingsRepo>('SettingsRepo'),
  StorageTargetsRepo: t<import('./db/repos/storage-targets.js').StorageTargetsRepo>('StorageTargetsRepo'),
  AuditRepo: t<import('./db/repos/audit.js').AuditRepo>('AuditRepo'),
  JobsRepo: t<import('./db/repos/jobs.js').JobsRepo>('JobsRepo'),
  SegmentsRepo: t<import('./db/repos/segments.js').SegmentsRepo>('SegmentsRepo'),
  CallsRepo: t<import('./db/repos/calls.js').CallsRepo>('CallsRepo'),
  CallLegsRepo: t<import('./db/repos/call-legs.js').CallLegsRepo>('CallLegsRepo'),
  RecordingsRepo: t<import('./db/repos/recordings.js').RecordingsRepo>('RecordingsRepo'),
  HostsRepo: t<import('./db/repos/hosts.js').HostsRepo>('HostsRepo'),
  UploadGrantsRepo: t<import('./db/repos/upload-grants.js').UploadGrantsRepo>('UploadGrantsRepo'),
  MediaRepo: t<import('./db/repos/media.js').MediaRepo>('MediaRepo'),
  CallSearchRepo: t<import('./db/repos/call-search.js').CallSearchRepo>('CallSearchRepo'),
  WorkstationDetailsRepo:
    t<import('./db/repos/workstation-details.js').WorkstationDetailsRepo>('WorkstationDetailsRepo'),
  SigningKeysRepo: t<import('./db/repos/signing-keys.js').SigningKeysRepo>('SigningKeysRepo'),
  ManifestsRepo: t<import('./db/repos/manifests.js').ManifestsRepo>('ManifestsRepo'),
  WorkstationDirectory: t<WorkstationDirectory>('WorkstationDirectory'),
  RetentionPoliciesRepo:
    t<import('./db/repos/retention-policies.js').RetentionPoliciesRepo>('RetentionPoliciesRepo'),
  RetentionRepo: t<import('./db/repos/retention.js').RetentionRepo>('RetentionRepo'),
  AuditExportRepo: t<import('./db/repos/audit-export.js').AuditExportRepo>('AuditExportRepo'),

  // Services.
  Controller: t<import('./controller/index.js').Controller>('Controller'),
  AgentChannel: t<AgentChannel>('AgentChannel'),
  /** The controller as the API and portal see it: its channel and its status for /api/health. */
  ControllerHooks: t<ControllerHooks>('ControllerHooks'),
  /** The web port once bound (the agents' default upload address names it). */
  WebAddress: t<import('./app/web-address.js').WebAddress>('WebAddress'),
  TaskQueue: t<import('./orchestrator/task-queue.js').TaskQueue>('TaskQueue'),
  LiveState: t<import('./orchestrator/live-state.js').LiveState>('LiveState'),
  LiveDirectory: t<import('./orchestrator/live-directory.js').LiveDirectory>('LiveDirectory'),
  DecisionLog: t<import('./orchestrator/decision-log.js').DecisionLog>('DecisionLog'),
  CaptureCommands: t<import('./orchestrator/capture-commands.js').CaptureCommands>('CaptureCommands'),
  TimeLimits: t<import('./orchestrator/time-limits.js').TimeLimits>('TimeLimits'),
  WaitingCalls: t<import('./orchestrator/waiting-calls.js').WaitingCalls>('WaitingCalls'),
  CallEvents: t<import('./orchestrator/call-events.js').CallEvents>('CallEvents'),
  AgentEvents: t<import('./orchestrator/agent-events.js').AgentEvents>('AgentEvents'),
  Orchestrator: t<import('./orchestrator/orchestrator.js').Orchestrator>('Orchestrator'),
  JobSignal: t<import('./jobs/job-signal.js').JobSignal>('JobSignal'),
  JobRunner: t<import('./jobs/job-runner.js').JobRunner>('JobRunner'),
  /** Job kind → its handler. */
  JobHandlers: t<import('./jobs/job-runner.js').JobHandlers>('JobHandlers'),
  StoreSegmentJob: t<import('./jobs/store-segment.js').StoreSegmentJob>('StoreSegmentJob'),
  FetchAudioJob: t<import('./jobs/fetch-audio.js').FetchAudioJob>('FetchAudioJob'),
  SealRecordingJob: t<import('./integrity/seal-recording.js').SealRecordingJob>('SealRecordingJob'),
  SegmentIntegrity: t<import('./integrity/segment-integrity.js').SegmentIntegrity>('SegmentIntegrity'),
  DeleteTenantJob: t<import('./jobs/delete-tenant.js').DeleteTenantJob>('DeleteTenantJob'),
  TargetResolver: t<import('./storage/target-resolver.js').TargetResolver>('TargetResolver'),
  FetchPbxRecordingJob:
    t<import('./jobs/fetch-pbx-recording.js').FetchPbxRecordingJob>('FetchPbxRecordingJob'),
  PbxRecordingSources:
    t<import('./recordings/pbx-recording-sources.js').PbxRecordingSources>('PbxRecordingSources'),
  UploadService: t<import('./uploads/upload-service.js').UploadService>('UploadService'),
  CallIntake: t<import('./calls/call-intake.js').CallIntake>('CallIntake'),
  UnconfirmedCalls: t<import('./calls/unconfirmed-calls.js').UnconfirmedCalls>('UnconfirmedCalls'),
  Metrics: t<import('./api/metrics.js').HostMetrics>('Metrics'),
  HostHeartbeat: t<import('./cluster/host-heartbeat.js').HostHeartbeat>('HostHeartbeat'),
  UploadSigningKeys: t<import('./uploads/upload-signing-keys.js').UploadSigningKeys>('UploadSigningKeys'),
  RecoverCapture: t<import('./recordings/recover-capture.js').RecoverCapture>('RecoverCapture'),
  SegmentNotices: t<import('./uploads/segment-notices.js').SegmentNotices>('SegmentNotices'),
  StoreHandBack: t<import('./jobs/store-hand-back.js').StoreHandBack>('StoreHandBack'),
  RetentionJob: t<import('./retention/retention-job.js').RetentionJob>('RetentionJob'),
  RetentionSweep: t<import('./retention/retention-sweep.js').RetentionSweep>('RetentionSweep'),
  Api: t<Hono>('Api'),
  /** The web port's request listener: uploads, webhooks, portal, media, API. */
  WebListener: t<import('node:http').RequestListener>('WebListener'),
} as const;
