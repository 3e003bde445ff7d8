import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isPluginManifest, type PluginManifest } from '../plugin/define-plugin.js';
import type { PluginKind } from '../plugin/kinds.js';

/** The plugin a test host runs, and how. */
export interface TestHostOptions {
  /**
   * The plugin under test: its definition (the default export of `src/index.ts`), or a package name or
   * module URL that the host imports as it would from a config file.
   */
  plugin: PluginManifest | string;
  /** Instance id; default the plugin id without its kind prefix (`storage-webdav` → `webdav`). */
  id?: string;
  /**
   * The plugin's options. Call-event sources and auth policies get them from the host config; for a storage
   * plugin the harness creates a storage target with them through the admin API (see `storageTargetId`).
   */
  options?: Record<string, unknown>;
  /** More host configuration, merged over the harness's (e.g. `{ jobs: { pollMs: 100 } }`). */
  config?: Record<string, unknown>;
  /** Host console log depth, 1 (errors) to 5 (trace); default: nothing is printed. */
  logLevel?: 1 | 2 | 3 | 4 | 5;
}

/** One answer of the admin API. */
export interface TestHostAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers and assert on their shape
  body: any;
}

/** A real deskrec host running one plugin, on ephemeral loopback ports with the embedded database. */
export interface TestHost {
  /** Where the admin API and portal answer, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The controller's plain TCP port, where agents connect. */
  controllerPort: number;
  /** The first admin of the default tenant; `token` is a signed-in bearer session. */
  admin: { username: string; password: string; tenant: string; token: string };
  /** The default tenant's screen-recording token (what agents present). */
  tenantToken: string;
  kind: PluginKind;
  /** The plugin's instance id: `/hooks/<id>` for HTTP call sources, the storage kind for storage plugins. */
  instanceId: string;
  /** For a storage plugin given `options`: the storage target created with them. */
  storageTargetId?: string;
  /** The host's data folder (a temporary folder, removed by `stop()`). */
  dataDir: string;
  /** Calls the admin API as the admin, with a JSON body. */
  api(method: string, path: string, body?: unknown): Promise<TestHostAnswer>;
  /** Stops the host and removes its data folder. */
  stop(): Promise<void>;
}

/** The part of `@deskrec/host` the harness uses: its public `loadConfig` and `createHost`. */
interface HostModule {
  loadConfig(options: { file: string; env: Record<string, string> }): unknown;
  createHost(
    config: unknown,
    options: { stdout?: { write(line: string): void } },
  ): {
    start(): Promise<{
      url: string;
      firstStart?: { username: string; password: string; tenantToken: string };
    }>;
    stop(): Promise<void>;
  };
}

const HOST_PACKAGE = '@deskrec/host';
const BRIDGE = Symbol.for('deskrec.test-host.plugins');
let bridged = 0;

async function importHost(): Promise<HostModule> {
  // A host on tsyringe needs the Reflect metadata polyfill loaded before it; one without it needs nothing.
  const polyfill: string = 'reflect-metadata';
  await import(polyfill).catch(() => undefined);
  try {
    // A variable, not a literal: core must not depend on the host at build time.
    const specifier: string = HOST_PACKAGE;
    return (await import(specifier)) as HostModule;
  } catch (error) {
    if (
      (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' &&
      String(error).includes(HOST_PACKAGE)
    ) {
      throw new Error(
        `startTestHost needs ${HOST_PACKAGE}: install it beside @deskrec/core (npm install --save-dev ${HOST_PACKAGE})`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The host loads plugins by module specifier. A definition given as an object reaches it through a one-line
 * module in the data folder that re-exports it, so the host goes through its real loader either way.
 */
async function pluginSpecifier(plugin: PluginManifest | string, dir: string): Promise<string> {
  if (typeof plugin === 'string') return plugin;
  const global = globalThis as Record<symbol, unknown>;
  if (!global[BRIDGE]) global[BRIDGE] = new Map<string, unknown>();
  const registry = global[BRIDGE] as Map<string, unknown>;
  const key = `plugin-${++bridged}`;
  registry.set(key, plugin);
  const file = join(dir, `${key}.mjs`);
  await writeFile(
    file,
    `export default globalThis[Symbol.for('deskrec.test-host.plugins')].get(${JSON.stringify(key)});\n`,
  );
  return pathToFileURL(file).href;
}

async function manifestOf(plugin: PluginManifest | string): Promise<PluginManifest> {
  if (typeof plugin !== 'string') return plugin;
  const manifest = ((await import(plugin)) as { default?: unknown }).default;
  if (!isPluginManifest(manifest)) {
    throw new Error(`startTestHost: "${plugin}" does not default-export a definePlugin() definition`);
  }
  return manifest;
}

function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object'
        ? merge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function pluginsConfig(kind: PluginKind, entry: Record<string, unknown>): Record<string, unknown> {
  switch (kind) {
    case 'storage':
      // Local stays offered so a test can compare, or move recordings between targets.
      return { storage: [{ use: 'local' }, { use: entry.use, id: entry.id }] };
    case 'call-events':
      return { callEvents: [entry] };
    case 'auth':
      return { auth: entry };
    case 'capture':
      throw new Error(
        'startTestHost: capture plugins run in the agent, not the host; test them with captureBackendKit',
      );
  }
}

/**
 * Starts a real deskrec host (`@deskrec/host`, an optional peer dependency) with the plugin registered, a
 * temporary data folder, the embedded database and ephemeral loopback ports, signed in as its first admin.
 * For plugin authors' own tests: what the plugin does through the host's API, webhooks and jobs.
 */
export async function startTestHost(options: TestHostOptions): Promise<TestHost> {
  const manifest = await manifestOf(options.plugin);
  const instanceId = options.id ?? manifest.id.replace(/^(storage|pbx|capture|auth)-/, '');
  const dir = await mkdtemp(join(tmpdir(), 'deskrec-test-host-'));
  let stopHost: (() => Promise<void>) | undefined;
  try {
    const use = await pluginSpecifier(options.plugin, dir);
    const entry = {
      use,
      id: instanceId,
      ...(manifest.kind === 'storage' ? {} : { options: options.options ?? {} }),
    };
    const config = merge(
      {
        dataDir: join(dir, 'data'),
        web: { host: '127.0.0.1', port: 0 },
        controller: { host: '127.0.0.1', ephemeralPorts: true },
        log: { level: options.logLevel ?? 1 },
        plugins: pluginsConfig(manifest.kind, entry),
      },
      options.config ?? {},
    );
    const file = join(dir, 'deskrec.json');
    await writeFile(file, JSON.stringify(config, null, 2));

    const hostModule = await importHost();
    const host = hostModule.createHost(
      // Only the file: environment variables of the test process must not change the harness's host.
      hostModule.loadConfig({ file, env: {} }),
      options.logLevel ? {} : { stdout: { write() {} } },
    );
    const started = await host.start();
    stopHost = () => host.stop();
    const first = started.firstStart;
    if (!first) throw new Error('startTestHost: the host did not report its first start');

    const call = async (method: string, path: string, body?: unknown, token?: string) => {
      const response = await fetch(`${started.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: response.status, body: parsed } as TestHostAnswer;
    };

    const login = await call('POST', '/api/auth/login', {
      username: first.username,
      password: first.password,
      tenant: 'default',
      bearer: true,
    });
    if (login.status !== 200) throw new Error(`startTestHost: sign-in failed: ${JSON.stringify(login.body)}`);
    const token = login.body.token as string;
    const health = await call('GET', '/api/health');
    const controllerPort = health.body?.controller?.listening?.tcp?.port as number;

    let storageTargetId: string | undefined;
    if (manifest.kind === 'storage' && options.options) {
      const created = await call(
        'POST',
        '/api/storage-targets',
        { name: `${manifest.title} (test)`, kind: instanceId, options: options.options },
        token,
      );
      if (created.status !== 201) {
        throw new Error(
          `startTestHost: the host refused a storage target with these options (${created.status}): ${JSON.stringify(created.body)}`,
        );
      }
      storageTargetId = created.body.id as string;
    }

    let stopped: Promise<void> | undefined;
    return {
      url: started.url,
      controllerPort,
      admin: { username: first.username, password: first.password, tenant: 'default', token },
      tenantToken: first.tenantToken,
      kind: manifest.kind,
      instanceId,
      ...(storageTargetId ? { storageTargetId } : {}),
      dataDir: join(dir, 'data'),
      api: (method, path, body) => call(method, path, body, token),
      stop() {
        stopped ??= (async () => {
          await host.stop();
          await rm(dir, { recursive: true, force: true });
        })();
        return stopped;
      },
    };
  } catch (error) {
    await stopHost?.().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
