import type { Clock, Logger, PluginManifest } from '@deskrec/core';
import type { OidcSignIn } from '../accounts/oidc/oidc-sign-in.js';
import type { CallSourceHealth } from '../calls/call-intake.js';
import type { SessionUser } from '../db/repos/sessions.js';
import type { Repositories } from '../db/repositories.js';
import type { RecentLog } from '../logging/recent-log.js';
import type { AgentChannel } from '../workstations/ports.js';
import type { HostMetrics } from './metrics.js';
import type { ObservabilityOptions } from './observability-access.js';

/** What the controller reports for the health endpoint; `ok: false` makes the host report "degraded". */
export interface ControllerStatus {
  ok: boolean;
  [detail: string]: unknown;
}

/**
 * Where the controller plugs into the API. Empty until the lead's wiring fills it in; the API reads it on
 * every request, so attaching after start works.
 */
export interface ControllerHooks {
  channel?: AgentChannel;
  status?: () => ControllerStatus;
  /** Health of every call-event source of this host. */
  callSources?: () => CallSourceHealth[];
}

export interface ApiDeps {
  repos: Repositories;
  /** Round-trip of a trivial query, for the health endpoint. */
  pingDatabase(): Promise<number>;
  databaseKind: 'postgres' | 'embedded';
  /** Storage kinds admins may choose from: config id (e.g. "s3") → manifest. */
  storageKinds: ReadonlyMap<string, PluginManifest<'storage'>>;
  hooks: ControllerHooks;
  /** The host's metrics: served at /metrics, the API counts its requests there. */
  metrics: HostMetrics;
  logger: Logger;
  recentLog: RecentLog;
  clock: Clock;
  dataDir: string;
  sessionTtlMs: number;
  maxBodyBytes: number;
  /** Whether the session cookie needs HTTPS (set when the public URL is https). */
  secureCookies: boolean;
  /** Admin sign-in through an OpenID Connect provider, when configured. */
  oidc?: OidcSignIn | undefined;
  /** Who may read /metrics and the detailed health (config `observability`). */
  observability: ObservabilityOptions;
  /** Wakes the job runner after a job was enqueued (e.g. a tenant's deletion). */
  jobSignal?: { notify(): void };
}

export type ApiEnv = { Variables: { session: SessionUser; ip: string | null } };
