import type { Kysely } from 'kysely';
import { metricsRegistry, registerConnectedAgentsProvider } from '../api/metrics.js';
import { CallIntake } from '../calls/call-intake.js';
import { type Controller, createController } from '../controller/index.js';
import { FETCH_AUDIO_JOB, fetchAudioHandler } from '../jobs/fetch-audio.js';
import { JobRunner } from '../jobs/job-runner.js';
import { storeSegmentHandler } from '../jobs/store-segment.js';
import { CAPTURE_STOP_JOB, Orchestrator } from '../orchestrator/orchestrator.js';
import type { OrchestratorDatabase } from '../orchestrator/schema.js';
import { SegmentsRepo } from '../recordings/segments-repo.js';
import { TargetResolver } from '../storage/target-resolver.js';
import { createUploadService, STORE_SEGMENT_JOB, type UploadService } from '../uploads/upload-service.js';
import type { WorkstationDirectory } from '../workstations/ports.js';
import type { HostServices } from './create-host.js';

export interface Runtime {
  controller: Controller;
  orchestrator: Orchestrator;
  uploads: UploadService;
  intake: CallIntake;
  jobs: JobRunner;
  targets: TargetResolver;
  segments: SegmentsRepo;
  stop(): Promise<void>;
}

/**
 * Where agents upload when the admin set no storage host URL: the agent replaces `{controller-host}` with
 * the address it reached the controller at, which is the host's address as that agent sees it.
 */
export function defaultUploadUrl(publicUrl: string | undefined, webPort: number): string {
  return publicUrl?.replace(/\/$/, '') ?? `http://{controller-host}:${webPort}`;
}

function withUploadUrl(directory: WorkstationDirectory, fallback: string): WorkstationDirectory {
  return new Proxy(directory, {
    get(target, property, receiver) {
      if (property === 'captureSettings') {
        return async (tenantId: string) => {
          const result = await target.captureSettings(tenantId);
          return { ...result, uploadUrl: result.uploadUrl || fallback };
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Starts the parts that move recordings: controller channel, orchestrator, call sources, uploads, jobs. */
export async function startRuntime(
  services: HostServices,
  webPort: number,
  defaultTenantId: string,
): Promise<Runtime> {
  const { config, repos, logging, database, plugins, authPolicy, signal } = services;
  const logger = logging.logger;
  const db = database.db as unknown as Kysely<OrchestratorDatabase>;
  const segments = new SegmentsRepo(database.db);
  const targets = new TargetResolver({
    settings: repos.settings,
    targets: repos.storageTargets,
    kinds: services.storageKinds,
    dataDir: config.dataDir,
    logger,
    signal,
  });

  const controller = createController({
    settings: config.controller,
    dataDir: config.dataDir,
    directory: withUploadUrl(repos.directory, defaultUploadUrl(config.web.publicUrl, webPort)),
    authPolicy,
    logger,
    metricsRegistry,
    host: config.controller.host ?? config.web.host,
    ...(config.controller.ephemeralPorts ? { ephemeralPorts: true } : {}),
    ...(config.controller.heartbeatIntervalMs
      ? { heartbeatIntervalMs: config.controller.heartbeatIntervalMs }
      : {}),
  });

  let jobs: JobRunner | undefined;
  const orchestrator = new Orchestrator({
    db,
    channel: controller,
    jobs: repos.jobs,
    settings: repos.settings,
    users: repos.users,
    segments,
    logger: logger.child({ component: 'orchestrator' }),
    onJobQueued: () => jobs?.poke(),
  });
  controller.onAgentEvent((event) => void orchestrator.handleAgentEvent(event));

  const uploads = createUploadService({
    db: database.db,
    segments,
    jobs: repos.jobs,
    spoolDir: `${config.dataDir}/spool`,
    logger: logger.child({ component: 'uploads' }),
    maxBytes: config.uploads.maxSegmentBytes,
  });
  await uploads.start();

  jobs = new JobRunner({
    jobs: repos.jobs,
    logger: logger.child({ component: 'jobs' }),
    handlers: {
      [STORE_SEGMENT_JOB]: storeSegmentHandler({
        db: database.db,
        segments,
        settings: repos.settings,
        targets,
        logger,
      }),
      [CAPTURE_STOP_JOB]: orchestrator.captureStopJob(),
      [FETCH_AUDIO_JOB]: fetchAudioHandler({
        db: database.db,
        settings: repos.settings,
        targets,
        logger,
        maxBytes: config.uploads.maxSegmentBytes,
      }),
    },
    pollMs: config.jobs.pollMs,
  });

  const intake = new CallIntake({
    registry: plugins,
    orchestrator,
    tenants: repos.tenants,
    defaultTenantId,
    logger,
  });
  // Started in order; a failure stops what already runs, so nothing keeps using a closing database.
  let unregisterAgentCounts: (() => void) | undefined;
  try {
    await controller.start();
    unregisterAgentCounts = registerConnectedAgentsProvider(() => {
      const { pending, authorized, forbidden } = controller.status().agents;
      return { pending, authorized, forbidden };
    });
    await intake.start();
    jobs.start();
  } catch (error) {
    unregisterAgentCounts?.();
    await intake.stop().catch(() => undefined);
    await controller.stop().catch(() => undefined);
    await targets.close();
    throw error;
  }

  return {
    controller,
    orchestrator,
    uploads,
    intake,
    jobs,
    targets,
    segments,
    async stop() {
      unregisterAgentCounts?.();
      await intake.stop();
      await controller.stop();
      await jobs?.stop();
      await targets.close();
    },
  };
}
