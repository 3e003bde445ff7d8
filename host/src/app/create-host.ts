import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type AuthPolicy,
  type Clock,
  type PluginManifest,
  type PluginRegistry,
  systemClock,
  TOKENS,
} from '@deskrec/core';
import { getRequestListener, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import type { DestinationStream } from 'pino';
import { type DependencyContainer, container as rootContainer } from 'tsyringe';
import { createApi } from '../api/create-api.js';
import type { ControllerHooks } from '../api/deps.js';
import type { HostConfig } from '../config/schema.js';
import { type DatabaseHandle, openDatabase } from '../db/open-database.js';
import { createRepositories, type Repositories } from '../db/repositories.js';
import { createLogging, type HostLogging } from '../logging/create-logging.js';
import { createPlaybackRoutes } from '../playback/index.js';
import { createPortal } from '../portal/index.js';
import { HOST_TOKENS } from '../tokens.js';
import { UPLOAD_ROUTE } from '../uploads/upload-service.js';
import { bootstrapDefaultTenant, DEFAULT_TENANT_SLUG, type FirstStartCredentials } from './bootstrap.js';
import { disposePlugins, entryId, loadHostPlugins, resolveStorageKinds } from './plugins.js';
import { mountRuntimeRoutes, uploadsBeforeWeb } from './root-routes.js';
import { type Runtime, startRuntime } from './runtime.js';

export interface CreateHostOptions {
  /** Console log destination (tests pass a quiet one); process.stdout by default. */
  stdout?: DestinationStream;
  clock?: Clock;
  /** Use this PostgreSQL schema instead of the default search path (tests isolate runs this way). */
  databaseSchema?: string;
}

export interface StartedHost {
  /** Where people sign in. */
  url: string;
  /** The web port actually bound (differs from the config when it asked for 0). */
  port: number;
  /** Present on the very first start only. */
  firstStart?: FirstStartCredentials;
}

/** What the lead's wiring (controller, orchestrator, uploads) uses once the host has started. */
export interface HostServices {
  config: HostConfig;
  database: DatabaseHandle;
  repos: Repositories;
  plugins: PluginRegistry;
  authPolicy: AuthPolicy;
  storageKinds: ReadonlyMap<string, PluginManifest<'storage'>>;
  logging: HostLogging;
  container: DependencyContainer;
  /** Aborted when the host stops. */
  signal: AbortSignal;
}

export interface Host {
  readonly config: HostConfig;
  start(): Promise<StartedHost>;
  stop(): Promise<void>;
  /** Available after start(). */
  services(): HostServices;
  /**
   * The controller's hook: its AgentChannel (pushes authorization and settings changes) and its status
   * (for /api/health). May be called before or after start(); later calls replace earlier ones.
   */
  attachController(hooks: ControllerHooks): void;
  /** Controller, orchestrator, uploads and jobs; available after start(). */
  runtime(): Runtime;
}

const SESSION_SWEEP_MS = 60 * 60 * 1000;

function signInUrl(config: HostConfig, port: number): string {
  if (config.web.publicUrl) return config.web.publicUrl.replace(/\/$/, '');
  const host = config.web.host === '0.0.0.0' || config.web.host === '::' ? 'localhost' : config.web.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function listen(server: ServerType, port: number, hostname: string): Promise<number> {
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
  });
}

/** The composition root: configuration in, a startable host out. Nothing happens until start(). */
export function createHost(config: HostConfig, options: CreateHostOptions = {}): Host {
  const hooks: ControllerHooks = {};
  const clock = options.clock ?? systemClock;
  let services: HostServices | undefined;
  let server: ServerType | undefined;
  let sweep: NodeJS.Timeout | undefined;
  let abort: AbortController | undefined;
  let stopping: Promise<void> | undefined;
  let runtimeHandle: Runtime | undefined;

  async function release(partial: Partial<HostServices>): Promise<void> {
    const logger = partial.logging?.logger;
    abort?.abort();
    if (sweep) clearInterval(sweep);
    await runtimeHandle?.stop();
    runtimeHandle = undefined;
    if (server) {
      const s = server;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        (s as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    }
    if (logger) await disposePlugins(partial.plugins, logger);
    await partial.database
      ?.close()
      .catch((error: unknown) => logger?.warn({ err: String(error) }, 'DB close'));
    partial.container?.reset();
    logger?.info('Host stopped');
    await partial.logging?.close();
  }

  return {
    config,
    attachController(next) {
      hooks.channel = next.channel;
      hooks.status = next.status;
      if (next.channel) services?.container.register(HOST_TOKENS.AgentChannel, { useValue: next.channel });
    },
    services() {
      if (!services) throw new Error('The host has not started');
      return services;
    },
    runtime() {
      if (!runtimeHandle) throw new Error('The host has not started');
      return runtimeHandle;
    },
    async start() {
      if (services) throw new Error('The host is already started');
      const partial: Partial<HostServices> = {};
      abort = new AbortController();
      stopping = undefined;
      try {
        partial.logging = await createLogging(config.log, options.stdout ? { stdout: options.stdout } : {});
        const logger = partial.logging.logger;
        logger.info({ config: config.source, dataDir: config.dataDir }, 'Host starting');
        // Plugins first: a configuration problem is reported before anything touches the database.
        partial.storageKinds = await resolveStorageKinds(config, logger);
        partial.container = rootContainer.createChildContainer();
        partial.plugins = await loadHostPlugins(config, {
          logger,
          signal: abort.signal,
          container: partial.container,
        });
        partial.authPolicy = partial.plugins.get('auth', entryId(config.plugins.auth))!;
        partial.database = await openDatabase({
          ...(config.database.url ? { url: config.database.url } : {}),
          embeddedDir: join(config.dataDir, 'db'),
          ...(options.databaseSchema ? { schema: options.databaseSchema } : {}),
          logger,
        });
        partial.repos = createRepositories(partial.database.db);
        const firstStart = await bootstrapDefaultTenant(partial.database.db);
        partial.config = config;
        partial.signal = abort.signal;

        const c = partial.container;
        c.register(TOKENS.Logger, { useValue: logger });
        c.register(TOKENS.Clock, { useValue: clock });
        c.register(TOKENS.PluginRegistry, { useValue: partial.plugins });
        c.register(HOST_TOKENS.Config, { useValue: config });
        c.register(HOST_TOKENS.Database, { useValue: partial.database.db });
        c.register(HOST_TOKENS.WorkstationDirectory, { useValue: partial.repos.directory });
        c.register(HOST_TOKENS.AuthPolicy, { useValue: partial.authPolicy });
        if (hooks.channel) c.register(HOST_TOKENS.AgentChannel, { useValue: hooks.channel });

        const api = createApi({
          repos: partial.repos,
          pingDatabase: partial.database.ping,
          databaseKind: partial.database.kind,
          storageKinds: partial.storageKinds,
          hooks,
          logger,
          recentLog: partial.logging.recent,
          clock,
          dataDir: config.dataDir,
          sessionTtlMs: config.web.sessionHours * 3600_000,
          maxBodyBytes: config.web.maxBodyBytes,
          secureCookies: config.web.publicUrl?.startsWith('https:') ?? false,
        });
        let runtime: Runtime | undefined;
        const targets = {
          byId: (tenantId: string, id: string) => runtime!.targets.byId(tenantId, id),
          forTenant: (tenantId: string) => runtime!.targets.forTenant(tenantId),
        };
        const root = mountRuntimeRoutes(() => runtime, api, [
          createPlaybackRoutes({
            db: partial.database.db,
            repos: partial.repos,
            targets,
            clock,
            logger,
          }) as unknown as Hono<never>,
          createPortal({
            api,
            repos: partial.repos,
            db: partial.database.db,
            storageKinds: partial.storageKinds,
            hooks,
            recentLog: partial.logging.recent,
            clock,
            logger,
            publicUrl: config.web.publicUrl,
            uploadPath: UPLOAD_ROUTE,
          }) as unknown as Hono<never>,
        ]);
        const web = getRequestListener(root.fetch, { hostname: config.web.host });
        server = createServer(uploadsBeforeWeb(() => runtime, web)).listen(config.web.port, config.web.host);
        const port = await listen(server, config.web.port, config.web.host);
        const repos = partial.repos;
        sweep = setInterval(() => {
          repos.sessions.deleteExpired(clock.now()).catch(() => undefined);
        }, SESSION_SWEEP_MS).unref();

        services = partial as HostServices;
        const defaultTenant = await partial.repos.tenants.bySlug(DEFAULT_TENANT_SLUG);
        runtime = await startRuntime(services, port, defaultTenant!.id);
        runtimeHandle = runtime;
        hooks.channel = runtime.controller;
        hooks.status = () => {
          const status = runtime!.controller.status();
          return { ok: status.running, ...status };
        };
        partial.container.register(HOST_TOKENS.AgentChannel, { useValue: runtime.controller });
        const url = signInUrl(config, port);
        logger.info(
          { url, database: partial.database.kind, storageKinds: [...partial.storageKinds.keys()] },
          'Host started',
        );
        if (firstStart)
          logger.info({ username: firstStart.username }, 'First start: default tenant and admin created');
        return { url, port, ...(firstStart ? { firstStart } : {}) };
      } catch (error) {
        partial.logging?.logger.error({ err: (error as Error).message }, 'Host failed to start');
        await release(partial);
        server = undefined;
        throw error;
      }
    },
    stop() {
      if (!services) return Promise.resolve();
      stopping ??= (async () => {
        const current = services!;
        await release(current);
        services = undefined;
        server = undefined;
      })();
      return stopping;
    },
  };
}
