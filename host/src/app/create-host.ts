import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type AuthPolicy,
  type PluginManifest,
  type PluginRegistry,
  systemClock,
  TOKENS,
  type Token,
} from '@deskrec/core';
import type { Hono } from 'hono';
import type { DestinationStream } from 'pino';
import type { CallIntake } from '../calls/call-intake.js';
import type { HostConfig } from '../config/schema.js';
import type { Controller } from '../controller/index.js';
import { type DatabaseHandle, openDatabase } from '../db/open-database.js';
import { registerRepositories } from '../db/register-repositories.js';
import { createRepositories, type Repositories } from '../db/repositories.js';
import { type DependencyContainer, resolve, container as rootContainer } from '../di.js';
import type { JobRunner } from '../jobs/job-runner.js';
import { createLogging, type HostLogging } from '../logging/create-logging.js';
import type { Orchestrator } from '../orchestrator/orchestrator.js';
import type { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';
import type { UploadService } from '../uploads/upload-service.js';
import { bootstrapDefaultTenant, DEFAULT_TENANT_SLUG, type FirstStartCredentials } from './bootstrap.js';
import { registerServices, registerStartedParts } from './composition-root.js';
import { disposePlugins, entryId, loadHostPlugins, resolveStorageKinds } from './plugins.js';

export interface CreateHostOptions {
  /** Console log destination (tests pass a quiet one); process.stdout by default. */
  stdout?: DestinationStream;
  /** Use this PostgreSQL schema instead of the default search path (tests isolate runs this way). */
  databaseSchema?: string;
  /**
   * Replaces registrations of the host's container before anything is resolved: e.g. a test clock under
   * core's `TOKENS.Clock`, or the API's view of the controller under `HOST_TOKENS.ControllerHooks`.
   */
  register?: (container: DependencyContainer) => void;
}

export interface StartedHost {
  /** Where people sign in. */
  url: string;
  /** The web port actually bound (differs from the config when it asked for 0). */
  port: number;
  /** The controller's ports as bound (agents connect there). */
  controller: { tcpPort?: number; tlsPort?: number };
  /** Present on the very first start only. */
  firstStart?: FirstStartCredentials;
}

/** The running host's main parts, resolved from its container (for tools and tests). */
export interface HostServices {
  config: HostConfig;
  database: DatabaseHandle;
  repos: Repositories;
  plugins: PluginRegistry;
  authPolicy: AuthPolicy;
  storageKinds: ReadonlyMap<string, PluginManifest<'storage'>>;
  logging: HostLogging;
  /** Aborted when the host stops. */
  signal: AbortSignal;
}

/** Controller, orchestrator, uploads, call intake, jobs and storage targets of the running host. */
export interface Runtime {
  controller: Controller;
  orchestrator: Orchestrator;
  uploads: UploadService;
  intake: CallIntake;
  jobs: JobRunner;
  targets: TargetResolver;
  /** The admin API's app (tests walk its routes). */
  api: Hono;
}

export interface Host {
  readonly config: HostConfig;
  start(): Promise<StartedHost>;
  stop(): Promise<void>;
  /** Resolves a service of the running host from its container. */
  resolve<T>(token: Token<T>): T;
  /** Available after start(). */
  services(): HostServices;
  /** Available after start(). */
  runtime(): Runtime;
}

const SESSION_SWEEP_MS = 60 * 60 * 1000;

function signInUrl(config: HostConfig, port: number): string {
  if (config.web.publicUrl) return config.web.publicUrl.replace(/\/$/, '');
  const host = config.web.host === '0.0.0.0' || config.web.host === '::' ? 'localhost' : config.web.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listen(server: Server, port: number, hostname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const why =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${hostname} is in use; stop the other program or set web.port / DESKREC_WEB_PORT`
          : error.code === 'EACCES'
            ? `no permission to listen on port ${port}; choose a port above 1023 or grant the permission`
            : error.message;
      reject(new Error(`The admin API cannot listen: ${why}`, { cause: error }));
    };
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
    server.listen(port, hostname);
  });
}

/** What one start made, released in reverse by stop() (or by a start that failed half-way). */
interface Started {
  container: DependencyContainer;
  abort: AbortController;
  logging?: HostLogging;
  plugins?: PluginRegistry;
  database?: DatabaseHandle;
  server?: Server;
  sweep?: NodeJS.Timeout;
  /** Stops what start() started, newest first. */
  stops: (() => Promise<void> | void)[];
}

async function release(s: Started): Promise<void> {
  const logger = s.logging?.logger;
  s.abort.abort();
  if (s.sweep) clearInterval(s.sweep);
  for (const stop of s.stops.reverse()) await stop();
  if (s.server) {
    const server = s.server;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
  if (logger) await disposePlugins(s.plugins, logger);
  await s.database?.close().catch((error: unknown) => logger?.warn({ err: String(error) }, 'DB close'));
  s.container.reset();
  logger?.info('Host stopped');
  await s.logging?.close();
}

/**
 * Configuration in, a startable host out; nothing happens until start(). start() builds what needs I/O
 * first (logging, plugins, the database), registers it in a container of its own, lets the composition
 * root (composition-root.ts) wire every service from it, then binds the web port and starts the controller,
 * the call sources and the job runner.
 */
export function createHost(config: HostConfig, options: CreateHostOptions = {}): Host {
  let current: Started | undefined;
  let stopping: Promise<void> | undefined;

  const running = () => {
    if (!current?.logging) throw new Error('The host has not started');
    return current.container;
  };

  return {
    config,
    resolve: (token) => resolve(running(), token),
    services() {
      const c = running();
      return {
        config,
        database: resolve(c, HOST_TOKENS.DatabaseHandle),
        repos: resolve(c, HOST_TOKENS.Repositories),
        plugins: resolve(c, TOKENS.PluginRegistry),
        authPolicy: resolve(c, HOST_TOKENS.AuthPolicy),
        storageKinds: resolve(c, HOST_TOKENS.StorageKinds),
        logging: resolve(c, HOST_TOKENS.Logging),
        signal: resolve(c, HOST_TOKENS.ShutdownSignal),
      };
    },
    runtime() {
      const c = running();
      return {
        controller: resolve(c, HOST_TOKENS.Controller),
        orchestrator: resolve(c, HOST_TOKENS.Orchestrator),
        uploads: resolve(c, HOST_TOKENS.UploadService),
        intake: resolve(c, HOST_TOKENS.CallIntake),
        jobs: resolve(c, HOST_TOKENS.JobRunner),
        targets: resolve(c, HOST_TOKENS.TargetResolver),
        api: resolve(c, HOST_TOKENS.Api),
      };
    },
    async start() {
      if (current) throw new Error('The host is already started');
      const container = rootContainer.createChildContainer();
      const s: Started = { container, abort: new AbortController(), stops: [] };
      current = s;
      stopping = undefined;
      // Defaults first, then the caller's replacements: both before anything is resolved.
      container.register(TOKENS.Clock, { useValue: systemClock });
      registerRepositories(container);
      registerServices(container);
      options.register?.(container);
      const clock = resolve(container, TOKENS.Clock);
      try {
        s.logging = await createLogging(config.log, options.stdout ? { stdout: options.stdout } : {});
        const logger = s.logging.logger;
        logger.info({ config: config.source, dataDir: config.dataDir }, 'Host starting');
        // Plugins first: a configuration problem is reported before anything touches the database.
        const storageKinds = await resolveStorageKinds(config, logger);
        s.plugins = await loadHostPlugins(config, { logger, clock, signal: s.abort.signal });
        s.database = await openDatabase({
          ...(config.database.url ? { url: config.database.url } : {}),
          embeddedDir: join(config.dataDir, 'db'),
          ...(options.databaseSchema ? { schema: options.databaseSchema } : {}),
          logger,
        });
        const firstStart = await bootstrapDefaultTenant(s.database.db, clock);
        const defaultTenant = await createRepositories(s.database.db, clock).tenants.bySlug(
          DEFAULT_TENANT_SLUG,
        );
        registerStartedParts(container, {
          config,
          logging: s.logging,
          database: s.database,
          plugins: s.plugins,
          authPolicyId: entryId(config.plugins.auth),
          storageKinds,
          signal: s.abort.signal,
          defaultTenantId: defaultTenant!.id,
        });

        const heartbeat = resolve(container, HOST_TOKENS.HostHeartbeat);
        await heartbeat.start();
        s.stops.push(async () => heartbeat.stop());
        // Before the controller: every capture.start carries a token signed with this key.
        await resolve(container, HOST_TOKENS.UploadSigningKeys).start();
        const uploads = resolve(container, HOST_TOKENS.UploadService);
        await uploads.start();
        await uploads.sweepUnfinished();
        const uploadSweep = setInterval(
          () => void uploads.sweepUnfinished().catch(() => undefined),
          3_600_000,
        );
        uploadSweep.unref();
        s.stops.push(async () => clearInterval(uploadSweep));
        const targets = resolve(container, HOST_TOKENS.TargetResolver);
        s.stops.push(() => targets.close());
        const pbxRecordings = resolve(container, HOST_TOKENS.PbxRecordingSources);
        s.stops.push(() => pbxRecordings.close());
        s.server = createServer(resolve(container, HOST_TOKENS.WebListener));
        const port = await listen(s.server, config.web.port, config.web.host);
        resolve(container, HOST_TOKENS.WebAddress).port = port;

        // Started in order; a failure stops what already runs, so nothing keeps using a closing database.
        const controller = resolve(container, HOST_TOKENS.Controller);
        const orchestrator = resolve(container, HOST_TOKENS.Orchestrator);
        controller.onAgentEvent((event) => void orchestrator.handleAgentEvent(event));
        await controller.start();
        s.stops.push(() => controller.stop());
        s.stops.push(
          resolve(container, HOST_TOKENS.Metrics).setConnectedAgents(() => {
            const { pending, authorized, forbidden } = controller.status().agents;
            return { pending, authorized, forbidden };
          }),
        );
        const intake = resolve(container, HOST_TOKENS.CallIntake);
        s.stops.push(() => intake.stop());
        await intake.start();
        const jobs = resolve(container, HOST_TOKENS.JobRunner);
        jobs.start();
        s.stops.push(() => jobs.stop());
        const retention = resolve(container, HOST_TOKENS.RetentionSweep);
        retention.start();
        s.stops.push(() => retention.stop());
        const sessions = resolve(container, HOST_TOKENS.SessionsRepo);
        s.sweep = setInterval(() => {
          sessions.deleteExpired(clock.now()).catch(() => undefined);
        }, SESSION_SWEEP_MS).unref();

        const url = signInUrl(config, port);
        logger.info(
          { url, database: s.database.kind, storageKinds: [...storageKinds.keys()] },
          'Host started',
        );
        if (firstStart)
          logger.info({ username: firstStart.username }, 'First start: default tenant and admin created');
        const { tcp, tls } = controller.status().listening;
        return {
          url,
          port,
          controller: { ...(tcp ? { tcpPort: tcp.port } : {}), ...(tls ? { tlsPort: tls.port } : {}) },
          ...(firstStart ? { firstStart } : {}),
        };
      } catch (error) {
        s.logging?.logger.error({ err: (error as Error).message }, 'Host failed to start');
        await release(s);
        current = undefined;
        throw error;
      }
    },
    stop() {
      const s = current;
      if (!s) return Promise.resolve();
      stopping ??= release(s).finally(() => {
        current = undefined;
      });
      return stopping;
    },
  };
}
