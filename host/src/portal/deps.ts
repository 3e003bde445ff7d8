import type { Clock, Logger, PluginManifest } from '@deskrec/core';
import type { Hono } from 'hono';
import type { ControllerHooks } from '../api/deps.js';
import type { HostConfig } from '../config/schema.js';
import type { Repositories } from '../db/repositories.js';
import type { RecentLog } from '../logging/recent-log.js';

/** What the portal needs from the host. */
export interface PortalDeps {
  /**
   * The admin API app (createApi's result). Portal forms call it in-process, so validation, audit rows and
   * pushes to agents happen exactly as they do for API clients.
   */
  api: Pick<Hono, 'request'>;
  /** Everything the portal reads; the calls pages through `repos.callSearch`. */
  repos: Repositories;
  storageKinds: ReadonlyMap<string, PluginManifest<'storage'>>;
  /** The controller's hooks: whether a workstation is connected right now. */
  hooks: ControllerHooks;
  recentLog: RecentLog;
  clock: Clock;
  logger: Logger;
  /** The configured public address (web.publicUrl), used for the upload URL shown in the settings. */
  publicUrl?: string | undefined;
  /** Path of the agents' upload route under the storage host URL. */
  uploadPath: string;
  /** Largest form body accepted, in bytes. */
  maxFormBytes?: number;
  /**
   * The host's own configuration, for the settings page's read-only host section (controller ports, client
   * certificates, trace log). Without it the page shows what the running controller reports.
   */
  hostConfig?: Pick<HostConfig, 'source' | 'controller' | 'log'> | undefined;
  /** Single sign-on, when configured: the login page offers it (and may hide the password form). */
  sso?: { name: string; passwordSignIn: boolean } | undefined;
}
