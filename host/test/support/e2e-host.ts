import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signedHeaders } from '@deskrec/pbx-webhook';
import { createHost, type Host, type StartedHost } from '../../src/app/create-host.js';
import { loadConfig } from '../../src/config/load-config.js';

export const WEBHOOK_SECRET = 'e2e-webhook-secret-0123456789abcdef0123';
const quiet = { write(_line: string) {} };
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface E2eHost {
  host: Host;
  started: StartedHost;
  dataDir: string;
  controllerPort: number;
  tenantId: string;
  token: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers and assert on their shape
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  postCallEvent(event: Record<string, unknown>): Promise<number>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A real host on ephemeral ports with a webhook call source, the embedded database and local storage. */
export async function startE2eHost(
  extraYaml: string[] = [],
  callEvents = `[{ use: webhook, id: crm, options: { secret: ${WEBHOOK_SECRET} } }]`,
  /** `plugins.storage` as YAML; the default storage kinds when omitted. */
  storage?: string,
): Promise<E2eHost> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-e2e-'));
  const file = path.join(dataDir, 'deskrec.yaml');
  await fs.writeFile(
    file,
    [
      `dataDir: ${dataDir}`,
      'web: { host: 127.0.0.1, port: 0 }',
      // A test may give its own controller section (limits); it must keep these loopback settings.
      ...(extraYaml.some((line) => line.startsWith('controller:'))
        ? []
        : ['controller: { host: 127.0.0.1, ephemeralPorts: true, tlsPort: 0 }']),
      'jobs: { pollMs: 200 }',
      'log: { level: 2 }',
      `plugins: { callEvents: ${callEvents}${storage ? `, storage: ${storage}` : ''} }`,
      ...extraYaml,
    ].join('\n'),
  );
  const config = loadConfig({ file, env: {} });
  let host = createHost(config, { stdout: quiet });
  let started = await host.start();
  const credentials = started.firstStart!;
  const login = async () => {
    const response = await fetch(`${started.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: credentials.username,
        password: credentials.password,
        tenant: 'default',
        bearer: true,
      }),
    });
    return ((await response.json()) as { token: string }).token;
  };
  let token = await login();
  const tenant = await host.services().repos.tenants.bySlug('default');
  const e2e: E2eHost = {
    get host() {
      return host;
    },
    get started() {
      return started;
    },
    dataDir,
    get controllerPort() {
      return host.runtime().controller.status().listening.tcp!.port;
    },
    tenantId: tenant!.id,
    token: credentials.tenantToken,
    async api(method, route, body) {
      const response = await fetch(`${started.url}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async postCallEvent(event) {
      const body = JSON.stringify(event);
      const response = await fetch(`${started.url}/hooks/crm`, {
        method: 'POST',
        headers: signedHeaders(WEBHOOK_SECRET, body),
        body,
      });
      await response.arrayBuffer();
      return response.status;
    },
    async restart() {
      await host.stop();
      host = createHost(config, { stdout: quiet });
      started = await host.start();
      token = await login();
    },
    async stop() {
      await host.stop();
    },
  };
  return e2e;
}

export interface AgentProcess {
  child: ChildProcess;
  dataDir: string;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the real agent CLI in its own process, capturing ffmpeg's test source. */
export async function startAgentProcess(options: {
  controllerPort: number;
  token: string;
  login: string;
  dataDir?: string;
}): Promise<AgentProcess> {
  const dataDir = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-e2e-agent-')));
  const configFile = path.join(dataDir, 'agent.json');
  await fs.writeFile(
    configFile,
    JSON.stringify({
      controller: { primary: `127.0.0.1:${options.controllerPort}` },
      tenantToken: options.token,
      dataDir,
      login: options.login,
      computerName: 'E2E-PC',
      capture: { use: 'ffmpeg', options: { input: 'lavfi', testMonitors: [{ width: 640, height: 360 }] } },
      upload: { minFreeDiskMb: 0, retryMaxSeconds: 2 },
      log: { trace: true, level: 4 },
    }),
  );
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'agent/dist/bin/deskrec-agent.js'), 'run', '--config', configFile],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  return {
    child,
    dataDir,
    output: () => out,
    kill: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
  pollMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
