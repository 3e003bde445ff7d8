import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ControllerSettingsSchema } from '@deskrec/core';
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { createApi } from '../../src/api/create-api.js';
import type { ControllerHooks } from '../../src/api/deps.js';
import { type Controller, createController } from '../../src/controller/index.js';
import { migrate0002Up } from '../../src/db/migrations/0002-call-legs.js';
import { createPlaybackRoutes } from '../../src/playback/index.js';
import { createPortal } from '../../src/portal/index.js';
import { TargetResolver } from '../../src/storage/target-resolver.js';
import { UPLOAD_ROUTE } from '../../src/uploads/upload-service.js';
import { startTestHost, type TestHost } from '../api-harness.js';
import type { DatabaseKind } from '../db-harness.js';

export interface PortalHost {
  t: TestHost;
  /** The web port serving portal, playback and API together, as the composition root will. */
  url: string;
  resolver: TargetResolver;
  controller: Controller;
  /** ws:// address of the controller's TCP listener. */
  controllerUrl: string;
  tenantId: string;
  adminPassword: string;
  /** Signs in through the portal's form and returns the session cookie ("deskrec_session=..."). */
  signIn(username?: string, password?: string): Promise<string>;
  /** A request to the portal with a cookie and a same-origin Origin header (as a browser sends). */
  fetch(path: string, init?: RequestInit & { cookie?: string }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * A started host with the portal and playback routes mounted beside the admin API on one port, and a
 * controller attached as the agent channel. This is the wiring the composition root is asked to do
 * (see the portal's report); tests use it until create-host mounts the portal itself.
 */
export async function startPortalHost(kind: DatabaseKind = 'embedded'): Promise<PortalHost> {
  const t = await startTestHost(kind);
  const services = t.host.services();
  const { repos, logging, config, database, storageKinds } = services;
  // call_legs (the orchestrator's migration 0002) until migrate.ts registers it.
  const legs = await sql<{ t: string | null }>`select to_regclass('call_legs')::text as t`.execute(
    database.db,
  );
  if (!legs.rows[0]?.t) await migrate0002Up(database.db as never);
  // The host's own runtime (controller, storage resolver) when create-host starts one; otherwise our own.
  const runtime = (
    t.host as { runtime?: () => { controller: Controller; targets: TargetResolver } }
  ).runtime?.();
  const controller =
    runtime?.controller ??
    createController({
      host: '127.0.0.1',
      ephemeralPorts: true,
      stopGraceMs: 100,
      authPolicy: services.authPolicy,
      directory: repos.directory,
      logger: logging.logger,
      dataDir: join(config.dataDir, 'controller'),
      settings: ControllerSettingsSchema.parse({ tcpPort: 6091, tlsPort: 0 }),
    });
  if (!runtime) await controller.start();
  const hooks: ControllerHooks = { channel: controller, status: () => ({ ok: true }) };
  if (!runtime) t.host.attachController(hooks);
  const resolver =
    runtime?.targets ??
    new TargetResolver({
      settings: repos.settings,
      targets: repos.storageTargets,
      dataDir: config.dataDir,
      logger: logging.logger,
      signal: services.signal,
    });
  const api = createApi({
    repos,
    pingDatabase: database.ping,
    databaseKind: database.kind,
    storageKinds,
    hooks,
    logger: logging.logger,
    recentLog: logging.recent,
    clock: { now: () => new Date() },
    dataDir: config.dataDir,
    sessionTtlMs: 3600_000,
    maxBodyBytes: config.web.maxBodyBytes,
    secureCookies: false,
  });
  const app = new Hono();
  app.route(
    '/',
    createPlaybackRoutes({
      db: database.db,
      repos,
      targets: resolver,
      clock: { now: () => new Date() },
      logger: logging.logger,
    }),
  );
  app.route(
    '/',
    createPortal({
      api,
      repos,
      db: database.db,
      storageKinds,
      hooks,
      recentLog: logging.recent,
      clock: { now: () => new Date() },
      logger: logging.logger,
      uploadPath: UPLOAD_ROUTE,
    }),
  );
  app.route('/', api);
  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tenantId = (await repos.tenants.bySlug('default'))!.id;
  const adminPassword = t.credentials.password;

  const portalFetch: PortalHost['fetch'] = (path, init = {}) => {
    const { cookie, headers, ...rest } = init;
    const h = new Headers(headers);
    if (cookie) h.set('cookie', cookie);
    if (!h.has('origin')) h.set('origin', url);
    return fetch(`${url}${path}`, { redirect: 'manual', ...rest, headers: h });
  };

  return {
    t,
    url,
    resolver,
    controller,
    controllerUrl: `ws://127.0.0.1:${controller.status().listening.tcp?.port}/`,
    tenantId,
    adminPassword,
    fetch: portalFetch,
    async signIn(username = 'admin', password = adminPassword) {
      const res = await portalFetch('/login', {
        method: 'POST',
        body: new URLSearchParams({ username, password, next: '/calls' }),
      });
      if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('deskrec_session='));
      if (!cookie) throw new Error('sign-in set no session cookie');
      return cookie.split(';')[0]!;
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      if (!runtime) {
        await controller.stop();
        await resolver.close();
      }
      await t.stop();
    },
  };
}
