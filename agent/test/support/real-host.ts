import 'reflect-metadata';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHost, type Host, loadConfig, type StartedHost } from '@deskrec/host';
import { signedHeaders } from '@deskrec/pbx-webhook';

export const WEBHOOK_SECRET = 'agent-e2e-webhook-secret-0123456789abcdef';
const quiet = { write(_line: string) {} };

export interface RealHost {
  host: Host;
  started: StartedHost;
  dataDir: string;
  token: string;
  port(kind: 'tcp' | 'tls'): number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers and assert on their shape
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  postCallEvent(event: Record<string, unknown>): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The real host (embedded database, local storage, webhook call source) on ephemeral loopback ports, with
 * the controller YAML the test needs (e.g. a client CA). Built from the host's public API.
 */
export async function startRealHost(controllerYaml = 'tlsPort: 0'): Promise<RealHost> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-agent-host-'));
  const file = path.join(dataDir, 'deskrec.yaml');
  await fs.writeFile(
    file,
    [
      `dataDir: ${dataDir}`,
      'web: { host: 127.0.0.1, port: 0 }',
      `controller: { host: 127.0.0.1, ephemeralPorts: true, ${controllerYaml} }`,
      'jobs: { pollMs: 200 }',
      'log: { level: 2 }',
      `plugins: { callEvents: [{ use: webhook, id: crm, options: { secret: ${WEBHOOK_SECRET} } }] }`,
    ].join('\n'),
  );
  const host = createHost(loadConfig({ file, env: {} }), { stdout: quiet });
  const started = await host.start();
  const credentials = started.firstStart!;
  const login = await fetch(`${started.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: credentials.username,
      password: credentials.password,
      tenant: 'default',
      bearer: true,
    }),
  });
  const bearer = ((await login.json()) as { token: string }).token;
  return {
    host,
    started,
    dataDir,
    token: credentials.tenantToken,
    port(kind) {
      const address = host.runtime().controller.status().listening[kind];
      if (!address) throw new Error(`the host has no ${kind} controller listener`);
      return address.port;
    },
    async api(method, route, body) {
      const response = await fetch(`${started.url}${route}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
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
    async stop() {
      await host.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
