import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type CallEventInput, CallEventSchema, PROTOCOL_VERSION, TOKENS } from '@deskrec/core';
import { signedHeaders } from '@deskrec/pbx-webhook';
import type { Kysely } from 'kysely';
import { createHost, type Host } from '../../src/app/create-host.js';
import { loadConfig } from '../../src/config/load-config.js';
import type { Database } from '../../src/db/schema.js';
import { type DatabaseKind, dropSchema, freshSchemaName, PG_URL } from '../db-harness.js';
import { until } from './e2e-host.js';
import { type AgentIdentity, hello, newIdentity, TestAgent } from './test-agent.js';
import { TestClock } from './test-clock.js';

export const HOOK_SECRET = 'orchestrator-hook-secret-0123456789abcdef';

export interface OrchestratorHost {
  host: Host;
  /** The web address (API, portal, uploads). */
  url: string;
  /** The host's clock (registered in place of the system clock): tests move it instead of waiting. */
  clock: TestClock;
  /** Runs the jobs due by the host clock now, and waits for them. */
  runDueJobs(): Promise<void>;
  db: Kysely<Database>;
  tenantId: string;
  tenantToken: string;
  /** The first admin's sign-in, for portal pages. */
  admin: { username: string; password: string };
  controllerUrl: string;
  controllerPort: number;
  dataDir: string;
  /** Every JSON log line the host wrote (trace depth 3: info and up). */
  logs: Record<string, unknown>[];
  // biome-ignore lint/suspicious/noExplicitAny: the JSON of many admin routes, read field by field in tests
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Hands an event straight to the orchestrator, as source `crm` (repeats reach it; the webhook drops them). */
  inject(event: CallEventInput): Promise<void>;
  /** Posts a signed event to the webhook source `/hooks/crm`. */
  /** Posts a signed delivery; `signedAt` (Unix seconds) pins the signature so a test can send an exact repeat. */
  post(event: CallEventInput | Record<string, unknown>, signedAt?: number): Promise<number>;
  stop(): Promise<void>;
}

/** A real host on ephemeral ports: webhook source `crm`, local storage, embedded DB or a fresh PG schema. */
export async function startOrchestratorHost(
  options: { kind?: DatabaseKind; callEvents?: string; extraYaml?: string[] } = {},
): Promise<OrchestratorHost> {
  const kind = options.kind ?? 'embedded';
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-orch-'));
  const file = path.join(dataDir, 'deskrec.yaml');
  await fs.writeFile(
    file,
    [
      `dataDir: ${dataDir}`,
      'web: { host: 127.0.0.1, port: 0 }',
      'controller: { host: 127.0.0.1, ephemeralPorts: true, tlsPort: 0 }',
      'jobs: { pollMs: 100 }',
      'log: { level: 3 }',
      `plugins: { callEvents: [${options.callEvents ?? `{ use: webhook, id: crm, options: { secret: ${HOOK_SECRET} } }`}] }`,
      ...(options.extraYaml ?? []),
    ].join('\n'),
  );
  const schema = kind === 'postgres' ? freshSchemaName() : undefined;
  const config = loadConfig({ file, env: kind === 'postgres' ? { DATABASE_URL: PG_URL } : {} });
  const logs: Record<string, unknown>[] = [];
  const stdout = {
    write(line: string) {
      for (const part of line.split('\n'))
        if (part.startsWith('{')) logs.push(JSON.parse(part) as Record<string, unknown>);
    },
  };
  const clock = new TestClock();
  const host = createHost(config, {
    stdout,
    ...(schema ? { databaseSchema: schema } : {}),
    register: (c) => c.register(TOKENS.Clock, { useValue: clock }),
  });
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
  const { token } = (await login.json()) as { token: string };
  const tenant = await host.services().repos.tenants.bySlug('default');
  const controllerPort = host.runtime().controller.status().listening.tcp!.port;
  return {
    host,
    url: started.url,
    clock,
    runDueJobs: () => host.runtime().jobs.runDue(),
    db: host.services().database.db as unknown as Kysely<Database>,
    tenantId: tenant!.id,
    tenantToken: credentials.tenantToken,
    admin: { username: credentials.username, password: credentials.password },
    controllerUrl: `ws://127.0.0.1:${controllerPort}/`,
    controllerPort,
    dataDir,
    logs,
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
    inject(event) {
      return host.runtime().orchestrator.handleCallEvent(tenant!.id, 'crm', CallEventSchema.parse(event));
    },
    async post(event, signedAt) {
      const body = JSON.stringify(event);
      const response = await fetch(`${started.url}/hooks/crm`, {
        method: 'POST',
        headers: signedHeaders(HOOK_SECRET, body, signedAt),
        body,
      });
      await response.arrayBuffer();
      return response.status;
    },
    async stop() {
      await host.stop();
      if (schema) await dropSchema(schema);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Creates a user through the admin API; returns its id. */
export async function createUser(
  h: OrchestratorHost,
  user: { name: string; login: string | null; extension: string; licence?: boolean },
): Promise<string> {
  const res = await h.api('POST', '/api/users', {
    name: user.name,
    screenRecordingLogin: user.login,
    seatLicence: user.licence ?? true,
    extensions: [user.extension],
  });
  if (res.status !== 201) throw new Error(`user not created: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function putSettings(h: OrchestratorHost, changes: Record<string, unknown>): Promise<void> {
  const current = await h.api('GET', '/api/settings');
  const put = await h.api('PUT', '/api/settings', { ...current.body, ...changes });
  if (put.status !== 200) throw new Error(`settings refused: ${JSON.stringify(put.body)}`);
}

/**
 * A simulated agent on the real controller channel: answers capture.start with capture.started and
 * capture.stop with capture.stopped, as the real agent does, and counts what it received.
 */
export class SimAgent {
  readonly identity: AgentIdentity;
  answer = true;

  private constructor(
    readonly agent: TestAgent,
    tenantToken: string,
  ) {
    this.identity = newIdentity(tenantToken);
    agent.ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { type: string; captureId?: string };
      if (!this.answer) return;
      const now = new Date().toISOString();
      if (m.type === 'capture.start')
        this.send({ type: 'capture.started', captureId: m.captureId, startedAt: now });
      if (m.type === 'capture.stop')
        this.send({ type: 'capture.stopped', captureId: m.captureId, stoppedAt: now, reason: 'stopped' });
    });
  }

  get workstationId(): string {
    return this.identity.workstationId;
  }

  /** Connects, says hello with `login` and waits for the welcome; `authorize` also approves it via the API. */
  static async connect(
    h: OrchestratorHost,
    login: string | null,
    options: { authorize?: boolean; identity?: AgentIdentity } = {},
  ): Promise<SimAgent> {
    const agent = new SimAgent(await TestAgent.connect(h.controllerUrl), h.tenantToken);
    if (options.identity) Object.assign(agent.identity, options.identity);
    agent.agent.send(hello(agent.identity, login));
    const welcome = await agent.agent.next('welcome');
    if (options.authorize !== false && welcome.state !== 'authorized') {
      const res = await h.api('POST', '/api/workstations/authorize', { ids: [agent.workstationId] });
      if (res.status !== 200) throw new Error(`authorize failed: ${JSON.stringify(res.body)}`);
      await agent.agent.until(
        () => agent.agent.frames.some((f) => f.type === 'authorization' && f.state === 'authorized'),
        'authorization',
      );
    }
    return agent;
  }

  send(message: Record<string, unknown>): void {
    this.agent.send({ v: PROTOCOL_VERSION, ...message });
  }

  starts() {
    return this.agent.frames.filter((f) => f.type === 'capture.start');
  }

  stops() {
    return this.agent.frames.filter((f) => f.type === 'capture.stop');
  }

  waitFor(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
    return this.agent.until(done, what, timeoutMs);
  }

  close(): Promise<unknown> {
    return this.agent.close();
  }
}

/** Polls until `check` gives a value (the shared `until`, with a shorter default limit). */
export function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  return until(what, check, timeoutMs, 50);
}

export function callRow(h: OrchestratorHost, externalCallId: string) {
  return h.db
    .selectFrom('calls')
    .selectAll()
    .where('external_call_id', '=', externalCallId)
    .executeTakeFirst();
}

export function recordingsOf(h: OrchestratorHost, callId: string) {
  return h.db
    .selectFrom('call_recordings')
    .innerJoin('recordings', 'recordings.id', 'call_recordings.recording_id')
    .selectAll('recordings')
    .where('call_recordings.call_id', '=', callId)
    .execute();
}

/** The orchestrator's decisions logged for a call, in order. */
export function decisions(h: OrchestratorHost, externalCallId: string): string[] {
  return h.logs.filter((l) => l.callId === externalCallId && l.decision).map((l) => String(l.decision));
}
