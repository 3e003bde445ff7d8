import {
  type Clock,
  type Logger,
  type PluginManifest,
  type PluginRegistry,
  pluginToken,
  TOKENS,
  type Token,
} from '@deskrec/core';
import type { Hono } from 'hono';
import { createOidcSignIn } from '../accounts/oidc/oidc-sign-in.js';
import { createApi } from '../api/create-api.js';
import type { ControllerHooks } from '../api/deps.js';
import { HostMetrics } from '../api/metrics.js';
import { CallIntake } from '../calls/call-intake.js';
import { UnconfirmedCalls } from '../calls/unconfirmed-calls.js';
import { HostHeartbeat } from '../cluster/host-heartbeat.js';
import { loadHostId } from '../cluster/host-id.js';
import type { HostConfig } from '../config/schema.js';
import { createController } from '../controller/index.js';
import type { DatabaseHandle } from '../db/open-database.js';
import { classes, once } from '../db/register-repositories.js';
import { type DependencyContainer, resolve } from '../di.js';
import { createExportRoutes } from '../export/export-routes.js';
import { hostFfmpegPath } from '../export/ffmpeg-path.js';
import { SEAL_RECORDING_JOB, SealRecordingJob } from '../integrity/seal-recording.js';
import { SegmentIntegrity } from '../integrity/segment-integrity.js';
import { DELETE_TENANT_JOB, DeleteTenantJob } from '../jobs/delete-tenant.js';
import { FETCH_AUDIO_JOB, FetchAudioJob } from '../jobs/fetch-audio.js';
import { FETCH_PBX_RECORDING_JOB, FetchPbxRecordingJob } from '../jobs/fetch-pbx-recording.js';
import { JobRunner } from '../jobs/job-runner.js';
import { JobSignal } from '../jobs/job-signal.js';
import { StoreHandBack } from '../jobs/store-hand-back.js';
import { StoreSegmentJob } from '../jobs/store-segment.js';
import type { HostLogging } from '../logging/create-logging.js';
import { AgentEvents } from '../orchestrator/agent-events.js';
import { CallEvents } from '../orchestrator/call-events.js';
import { CaptureCommands } from '../orchestrator/capture-commands.js';
import { DecisionLog } from '../orchestrator/decision-log.js';
import { LiveDirectory } from '../orchestrator/live-directory.js';
import { LiveState } from '../orchestrator/live-state.js';
import { Orchestrator } from '../orchestrator/orchestrator.js';
import { TaskQueue } from '../orchestrator/task-queue.js';
import { CAPTURE_STOP_JOB, TimeLimits } from '../orchestrator/time-limits.js';
import { WaitingCalls } from '../orchestrator/waiting-calls.js';
import { createPlaybackRoutes } from '../playback/index.js';
import { createPortal } from '../portal/index.js';
import { PbxRecordingSources } from '../recordings/pbx-recording-sources.js';
import { RecoverCapture } from '../recordings/recover-capture.js';
import { RETENTION_JOB, RetentionJob } from '../retention/retention-job.js';
import { RetentionSweep } from '../retention/retention-sweep.js';
import { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';
import { SegmentNotices } from '../uploads/segment-notices.js';
import { createUploadService, STORE_SEGMENT_JOB, UPLOAD_ROUTE } from '../uploads/upload-service.js';
import { UploadSigningKeys } from '../uploads/upload-signing-keys.js';
import type { WorkstationDirectory } from '../workstations/ports.js';
import { hostRequestListener } from './root-routes.js';
import { defaultUploadUrl, WebAddress } from './web-address.js';

/** What the start-up built before wiring: registered as values. */
export interface StartedParts {
  config: HostConfig;
  logging: HostLogging;
  database: DatabaseHandle;
  plugins: PluginRegistry;
  authPolicyId: string;
  storageKinds: ReadonlyMap<string, PluginManifest<'storage'>>;
  signal: AbortSignal;
  defaultTenantId: string;
}

/**
 * Registers what the start-up built. A token the caller registered already (`CreateHostOptions.register`,
 * e.g. a test's own AuthPolicy) keeps that registration.
 */
export function registerStartedParts(c: DependencyContainer, parts: StartedParts): void {
  const value = <T>(token: Token<T>, useValue: T) => {
    if (!c.isRegistered(token)) c.register(token, { useValue });
  };
  value(HOST_TOKENS.Config, parts.config);
  value(HOST_TOKENS.Logging, parts.logging);
  value(TOKENS.Logger, parts.logging.logger);
  value(HOST_TOKENS.DatabaseHandle, parts.database);
  value(HOST_TOKENS.Database, parts.database.db);
  value(TOKENS.PluginRegistry, parts.plugins);
  for (const kind of ['auth', 'call-events'] as const) {
    for (const plugin of parts.plugins.list(kind)) value(pluginToken(kind, plugin.id), plugin.instance);
  }
  if (!c.isRegistered(HOST_TOKENS.AuthPolicy))
    c.register(HOST_TOKENS.AuthPolicy, { useToken: pluginToken('auth', parts.authPolicyId) });
  value(HOST_TOKENS.StorageKinds, parts.storageKinds);
  value(HOST_TOKENS.ShutdownSignal, parts.signal);
  value(HOST_TOKENS.DefaultTenantId, parts.defaultTenantId);
  value(HOST_TOKENS.HostId, loadHostId(parts.config.dataDir));
}

/** The directory agents see, with the default upload address filled in (it names the bound web port). */
function withUploadUrl(directory: WorkstationDirectory, fallback: () => string): WorkstationDirectory {
  return new Proxy(directory, {
    get(target, property, receiver) {
      if (property === 'captureSettings') {
        return async (tenantId: string) => {
          const result = await target.captureSettings(tenantId);
          return { ...result, uploadUrl: result.uploadUrl || fallback() };
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The host's services: controller, orchestrator, jobs, uploads, call intake, storage, web. */
export function registerServices(c: DependencyContainer): void {
  classes(c, [
    [HOST_TOKENS.WebAddress, WebAddress],
    [HOST_TOKENS.Metrics, HostMetrics],
    [HOST_TOKENS.TaskQueue, TaskQueue],
    [HOST_TOKENS.LiveState, LiveState],
    [HOST_TOKENS.LiveDirectory, LiveDirectory],
    [HOST_TOKENS.DecisionLog, DecisionLog],
    [HOST_TOKENS.CaptureCommands, CaptureCommands],
    [HOST_TOKENS.TimeLimits, TimeLimits],
    [HOST_TOKENS.WaitingCalls, WaitingCalls],
    [HOST_TOKENS.CallEvents, CallEvents],
    [HOST_TOKENS.AgentEvents, AgentEvents],
    [HOST_TOKENS.Orchestrator, Orchestrator],
    [HOST_TOKENS.JobSignal, JobSignal],
    [HOST_TOKENS.JobRunner, JobRunner],
    [HOST_TOKENS.StoreSegmentJob, StoreSegmentJob],
    [HOST_TOKENS.FetchAudioJob, FetchAudioJob],
    [HOST_TOKENS.SealRecordingJob, SealRecordingJob],
    [HOST_TOKENS.SegmentIntegrity, SegmentIntegrity],
    [HOST_TOKENS.DeleteTenantJob, DeleteTenantJob],
    [HOST_TOKENS.TargetResolver, TargetResolver],
    [HOST_TOKENS.FetchPbxRecordingJob, FetchPbxRecordingJob],
    [HOST_TOKENS.PbxRecordingSources, PbxRecordingSources],
    [HOST_TOKENS.CallIntake, CallIntake],
    [HOST_TOKENS.UnconfirmedCalls, UnconfirmedCalls],
    [HOST_TOKENS.HostHeartbeat, HostHeartbeat],
    [HOST_TOKENS.UploadSigningKeys, UploadSigningKeys],
    [HOST_TOKENS.RecoverCapture, RecoverCapture],
    [HOST_TOKENS.SegmentNotices, SegmentNotices],
    [HOST_TOKENS.StoreHandBack, StoreHandBack],
    [HOST_TOKENS.RetentionJob, RetentionJob],
    [HOST_TOKENS.RetentionSweep, RetentionSweep],
  ]);
  once(c, HOST_TOKENS.JobHandlers, (at) => ({
    [STORE_SEGMENT_JOB]: resolve(at, HOST_TOKENS.StoreSegmentJob).handle,
    [FETCH_AUDIO_JOB]: resolve(at, HOST_TOKENS.FetchAudioJob).handle,
    [FETCH_PBX_RECORDING_JOB]: resolve(at, HOST_TOKENS.FetchPbxRecordingJob).handle,
    [SEAL_RECORDING_JOB]: resolve(at, HOST_TOKENS.SealRecordingJob).handle,
    [CAPTURE_STOP_JOB]: resolve(at, HOST_TOKENS.Orchestrator).captureStopJob(),
    [DELETE_TENANT_JOB]: resolve(at, HOST_TOKENS.DeleteTenantJob).handle,
    [RETENTION_JOB]: resolve(at, HOST_TOKENS.RetentionJob).handle,
  }));
  once(c, HOST_TOKENS.Controller, (at) => {
    const config = resolve(at, HOST_TOKENS.Config);
    const address = resolve(at, HOST_TOKENS.WebAddress);
    return createController({
      settings: config.controller,
      dataDir: config.dataDir,
      directory: withUploadUrl(resolve(at, HOST_TOKENS.WorkstationDirectory), () =>
        defaultUploadUrl(config.web.publicUrl, address.port),
      ),
      authPolicy: resolve(at, HOST_TOKENS.AuthPolicy),
      logger: resolve(at, TOKENS.Logger),
      clock: resolve(at, TOKENS.Clock),
      metricsRegistry: resolve(at, HOST_TOKENS.Metrics).registry,
      host: config.controller.host ?? config.web.host,
      ...(config.controller.ephemeralPorts ? { ephemeralPorts: true } : {}),
      ...config.controller.limits,
      ...(config.controller.heartbeatIntervalMs
        ? { heartbeatIntervalMs: config.controller.heartbeatIntervalMs }
        : {}),
    });
  });
  c.register(HOST_TOKENS.AgentChannel, { useToken: HOST_TOKENS.Controller });
  once(c, HOST_TOKENS.ControllerHooks, (at): ControllerHooks => {
    const controller = resolve(at, HOST_TOKENS.Controller);
    return {
      channel: controller,
      status: () => {
        const status = controller.status();
        return { ok: status.running, ...status };
      },
      // Resolved on use: the intake depends on the orchestrator, which depends on these hooks' controller.
      callSources: () => resolve(at, HOST_TOKENS.CallIntake).health(),
    };
  });
  once(c, HOST_TOKENS.UploadService, (at) => {
    const config = resolve(at, HOST_TOKENS.Config);
    return createUploadService({
      grants: resolve(at, HOST_TOKENS.UploadGrantsRepo),
      keys: resolve(at, HOST_TOKENS.UploadSigningKeys),
      recover: resolve(at, HOST_TOKENS.RecoverCapture),
      hostId: resolve(at, HOST_TOKENS.HostId),
      segments: resolve(at, HOST_TOKENS.SegmentsRepo),
      jobs: resolve(at, HOST_TOKENS.JobsRepo),
      signal: resolve(at, HOST_TOKENS.JobSignal),
      spoolDir: `${config.dataDir}/spool`,
      logger: resolve(at, TOKENS.Logger).child({ component: 'uploads' }),
      maxBytes: config.uploads.maxSegmentBytes,
      clock: resolve(at, TOKENS.Clock),
      tokenTtlMs: config.uploads.tokenHoursAfterEnd * 3_600_000,
      unfinishedTtlMs: config.uploads.unfinishedUploadHours * 3_600_000,
      maxOpenUploadsPerRecording: config.uploads.maxOpenUploadsPerRecording,
    });
  });
  once(c, HOST_TOKENS.Api, (at) => {
    const config = resolve(at, HOST_TOKENS.Config);
    const database = resolve(at, HOST_TOKENS.DatabaseHandle);
    return createApi({
      repos: resolve(at, HOST_TOKENS.Repositories),
      pingDatabase: database.ping,
      databaseKind: database.kind,
      storageKinds: resolve(at, HOST_TOKENS.StorageKinds),
      hooks: resolve(at, HOST_TOKENS.ControllerHooks),
      metrics: resolve(at, HOST_TOKENS.Metrics),
      logger: resolve(at, TOKENS.Logger),
      recentLog: resolve(at, HOST_TOKENS.Logging).recent,
      clock: resolve(at, TOKENS.Clock),
      dataDir: config.dataDir,
      sessionTtlMs: config.web.sessionHours * 3600_000,
      maxBodyBytes: config.web.maxBodyBytes,
      secureCookies: config.web.publicUrl?.startsWith('https:') ?? false,
      oidc: createOidcSignIn(config.oidc, config.web.publicUrl),
      observability: config.observability,
      jobSignal: resolve(at, HOST_TOKENS.JobSignal),
    });
  });
  once(c, HOST_TOKENS.WebListener, (at) => {
    const config = resolve(at, HOST_TOKENS.Config);
    const logger: Logger = resolve(at, TOKENS.Logger);
    const clock: Clock = resolve(at, TOKENS.Clock);
    const repos = resolve(at, HOST_TOKENS.Repositories);
    const api = resolve(at, HOST_TOKENS.Api);
    const hooks = resolve(at, HOST_TOKENS.ControllerHooks);
    return hostRequestListener({
      host: config.web.host,
      uploads: resolve(at, HOST_TOKENS.UploadService),
      intake: resolve(at, HOST_TOKENS.CallIntake),
      api,
      pages: [
        createPlaybackRoutes({
          media: repos.media,
          repos,
          targets: resolve(at, HOST_TOKENS.TargetResolver),
          clock,
          logger,
          integrity: resolve(at, HOST_TOKENS.SegmentIntegrity),
        }) as unknown as Hono<never>,
        createExportRoutes({
          repos,
          targets: resolve(at, HOST_TOKENS.TargetResolver),
          clock,
          logger,
          ffmpegPath: hostFfmpegPath(),
          maxConcurrent: 2,
        }) as unknown as Hono<never>,
        createPortal({
          api,
          repos,
          storageKinds: resolve(at, HOST_TOKENS.StorageKinds),
          hooks,
          recentLog: resolve(at, HOST_TOKENS.Logging).recent,
          clock,
          logger,
          publicUrl: config.web.publicUrl,
          uploadPath: UPLOAD_ROUTE,
          hostConfig: config,
          sso: config.oidc && { name: config.oidc.name, passwordSignIn: config.oidc.passwordSignIn },
        }) as unknown as Hono<never>,
      ],
    });
  });
}
