import { rmSync } from 'node:fs';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostMessage, WorkstationState } from '@deskrec/core';
import type { FirstStartCredentials } from '../src/app/bootstrap.js';
import { type CreateHostOptions, createHost, type Host, type StartedHost } from '../src/app/create-host.js';
import { loadConfig } from '../src/config/load-config.js';
import type { AgentChannel } from '../src/workstations/ports.js';
import { type DatabaseKind, dropSchema, freshSchemaName, PG_URL, tempDir } from './db-harness.js';

/** Drops console output; tests read the System Log through the API instead. */
export const quiet = { write(_line: string) {} };

export interface TestHost {
  host: Host;
  started: StartedHost;
  /** The first start's admin password and tenant token (of the template, for a copied embedded database). */
  credentials: FirstStartCredentials;
  url: string;
  dataDir: string;
  /** Signs in and returns the session token (as a bearer token). */
  login(username?: string, password?: string, tenant?: string): Promise<string>;
  /** Calls the API with a bearer token and JSON body. */
  call(
    method: string,
    path: string,
    options?: {
      token?: string;
      body?: unknown;
      raw?: NonNullable<RequestInit['body']>;
      headers?: Record<string, string>;
    },
  ): Promise<{
    status: number;
    // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers and assert on their shape
    body: any;
    headers: Headers;
  }>;
  stop(): Promise<void>;
}

/**
 * The embedded database's first creation (initdb) costs seconds; every embedded test host starts from a
 * copy of one made by a real first start in this process. The first start itself is tested on its own.
 */
let template: Promise<{ dir: string; credentials: FirstStartCredentials }> | undefined;

function embeddedTemplate() {
  template ??= (async () => {
    const dir = await tempDir('deskrec-template-');
    const config = loadConfig({
      env: {
        DESKREC_DATA_DIR: dir.path,
        DESKREC_WEB_HOST: '127.0.0.1',
        DESKREC_WEB_PORT: '0',
        // The template needs no controller.
        DESKREC_CONTROLLER_TCP_PORT: '0',
        DESKREC_CONTROLLER_TLS_PORT: '0',
        DESKREC_LOG_LEVEL: '1',
      },
    });
    const host = createHost(config, { stdout: quiet });
    const started = await host.start();
    await host.stop();
    process.once('exit', () => rmSync(dir.path, { recursive: true, force: true }));
    return { dir: join(dir.path, 'db'), credentials: started.firstStart! };
  })();
  return template;
}

/** A host on an ephemeral port, with its own data folder and (for PostgreSQL) its own schema. */
export async function startTestHost(
  kind: DatabaseKind,
  extraConfig = '',
  /** Registrations that replace the host's own (e.g. the API's view of the controller). */
  register?: CreateHostOptions['register'],
): Promise<TestHost> {
  const dir = await tempDir('deskrec-api-');
  const file = join(dir.path, 'deskrec.yaml');
  await writeFile(
    file,
    [
      'web: { host: 127.0.0.1, port: 0 }',
      'controller: { host: 127.0.0.1, ephemeralPorts: true }',
      'log: { level: 1 }',
      'plugins: { storage: [{ use: local }, { use: ftp }] }',
      extraConfig,
    ].join('\n'),
  );
  const schema = kind === 'postgres' ? freshSchemaName() : undefined;
  const config = loadConfig({
    file,
    env: {
      DESKREC_DATA_DIR: join(dir.path, 'data'),
      ...(kind === 'postgres' ? { DATABASE_URL: PG_URL } : {}),
    },
  });
  const copied = kind === 'embedded' ? await embeddedTemplate() : undefined;
  if (copied) await cp(copied.dir, join(config.dataDir, 'db'), { recursive: true });
  const host = createHost(config, {
    stdout: quiet,
    ...(schema ? { databaseSchema: schema } : {}),
    ...(register ? { register } : {}),
  });
  const started = await host.start();
  const credentials = started.firstStart ?? copied?.credentials;
  if (!credentials) throw new Error('neither a first start nor a template gave credentials');
  const url = started.url;

  const call: TestHost['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: RequestInit['body'] = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, body: parsed, headers: res.headers };
  };

  return {
    host,
    started,
    credentials,
    url,
    dataDir: config.dataDir,
    call,
    async login(username = 'admin', password = credentials.password, tenant = 'default') {
      const res = await call('POST', '/api/auth/login', {
        body: { username, password, tenant, bearer: true },
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    },
    async stop() {
      await host.stop();
      if (schema) await dropSchema(schema);
      await dir.remove();
    },
  };
}

/** The password of the first admin `addTenant` creates in a tenant. */
export const TENANT_ADMIN_PASSWORD = 'violet-harbour-lantern-93';

/**
 * A second tenant with its own admin, for isolation tests: created by the provider admin through
 * `POST /api/tenants`, as a service provider would.
 */
export async function addTenant(
  t: TestHost,
  slug: string,
): Promise<{ tenantId: string; token: string; bearer: string }> {
  const provider = await t.login();
  const res = await t.call('POST', '/api/tenants', {
    token: provider,
    body: { slug, name: slug, admin: { username: 'admin', password: TENANT_ADMIN_PASSWORD } },
  });
  if (res.status !== 201)
    throw new Error(`creating tenant failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    tenantId: res.body.tenant.id,
    token: res.body.token,
    bearer: await t.login('admin', TENANT_ADMIN_PASSWORD, slug),
  };
}

/**
 * An AgentChannel that records what the API asks of it. The controller's own tests cover delivery to
 * agents; these tests check that the API calls the hook on every change.
 */
export class RecordingAgentChannel implements AgentChannel {
  readonly authorizations: {
    tenantId: string;
    workstationId: string;
    state: WorkstationState | 'deleted';
  }[] = [];
  readonly settingsPushes: string[] = [];
  readonly online = new Set<string>();

  isOnline(tenantId: string, workstationId: string): boolean {
    return this.online.has(`${tenantId}/${workstationId}`);
  }
  send(_tenantId: string, _workstationId: string, _message: HostMessage): boolean {
    return false;
  }
  pushAuthorization(tenantId: string, workstationId: string, state: WorkstationState | 'deleted'): void {
    this.authorizations.push({ tenantId, workstationId, state });
  }
  async pushSettings(tenantId: string): Promise<void> {
    this.settingsPushes.push(tenantId);
  }
}
