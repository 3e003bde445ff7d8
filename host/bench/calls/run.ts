// Calls benchmark: a real host (this process: controller, orchestrator, embedded DB or PostgreSQL) and N
// simulated agents in a child process, each logged in as a licensed user with an extension. The pbx-simulator's
// deterministic generator plans the calls; their events are fed to the orchestrator at a set rate. Measures
// call.started → capture.start at the agent (one way, the two processes' clocks) and → capture.started back at
// the host (round trip, one clock), against a bare ws round trip measured in the same run.
// Usage: npm run bench:calls -- [--agents 1000] [--rate 100] [--seconds 20] [--database embedded|postgres]
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROTOCOL_VERSION } from '@deskrec/core';
import { simulateCalls } from '@deskrec/pbx-simulator';
import { WebSocketServer, type WebSocket as Ws } from 'ws';
import { createHost } from '../../src/app/create-host.js';
import { loadConfig } from '../../src/config/load-config.js';
import { EmbeddedWorker } from '../../src/db/embedded/worker-client.js';
import { benchAgentIdentity, benchExtension, benchLogin } from './identities.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const agents = Number(arg('agents', '1000'));
const rate = Number(arg('rate', '100'));
const seconds = Number(arg('seconds', '20'));
const database = arg('database', 'embedded');
const baselineSamples = Number(arg('samples', '2000'));
const now = () => performance.timeOrigin + performance.now();

// --queries: time every embedded-database statement of the calls phase, from posting it to the worker to its
// answer (so waiting behind earlier statements counts).
const queryStats = new Map<string, { count: number; ms: number }>();
let countQueries = false;
if (process.argv.includes('--queries')) {
  const proto = EmbeddedWorker.prototype as unknown as { query: (...args: unknown[]) => Promise<unknown> };
  const query = proto.query;
  proto.query = async function (this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return await query.apply(this, args);
    } finally {
      if (countQueries) {
        const key = String(args[0]).replace(/\s+/g, ' ').slice(0, 110);
        const stat = queryStats.get(key) ?? { count: 0, ms: 0 };
        stat.count++;
        stat.ms += performance.now() - t0;
        queryStats.set(key, stat);
      }
    }
  };
}
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

function child(): ChildProcess {
  return fork(path.join(import.meta.dirname, 'agents.ts'), [], { execArgv: ['--import', 'tsx'] });
}

function request<T>(proc: ChildProcess, message: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    proc.once('message', (reply: { type: string; error?: string }) =>
      reply.type === 'failed' ? reject(new Error(reply.error)) : resolve(reply as T),
    );
    proc.send(message as object);
  });
}

// --- host ---
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-bench-calls-'));
const file = path.join(dataDir, 'deskrec.yaml');
await fs.writeFile(
  file,
  [
    `dataDir: ${dataDir}`,
    'web: { host: 127.0.0.1, port: 0 }',
    // Every simulated agent connects from 127.0.0.1: lift the per-address and enrollment limits.
    `controller: { host: 127.0.0.1, ephemeralPorts: true, tlsPort: 0, limits: { maxConnections: ${agents + 1000}, maxConnectionsPerAddress: ${agents + 1000}, enrollmentsPerMinute: ${agents + 1000}, maxPendingWorkstations: ${agents + 1000} } }`,
    'log: { level: 3 }',
  ].join('\n'),
);
const schema = database === 'postgres' ? `deskrec_bench_${randomBytes(4).toString('hex')}` : undefined;
const pgUrl = process.env.DESKREC_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const config = loadConfig({ file, env: schema ? { DATABASE_URL: pgUrl } : {} });
// The orchestrator's decisions, counted from its log lines: explains any start that did not go out.
const decisions = new Map<string, number>();
const stdout = {
  write(text: string) {
    for (const line of text.split('\n')) {
      const decision = /"decision":"([^"]+)"/.exec(line)?.[1];
      if (decision) decisions.set(decision, (decisions.get(decision) ?? 0) + 1);
    }
  },
};
const host = createHost(config, { stdout, ...(schema ? { databaseSchema: schema } : {}) });
const started = await host.start();
const { repos } = host.services();
const runtime = host.runtime();
const tenant = (await repos.tenants.bySlug('default'))!;
const tenantToken = started.firstStart!.tenantToken;
const controllerUrl = `ws://127.0.0.1:${runtime.controller.status().listening.tcp!.port}/`;
log(`host up (${database}); creating ${agents} users`);

let made = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    while (made < agents) {
      const i = made++;
      await repos.users.create(tenant.id, {
        name: `Agent ${i}`,
        screenRecordingLogin: benchLogin(i),
        seatLicence: true,
        extensions: [benchExtension(i)],
        externalId: null,
      });
    }
  }),
);

// --- agents: connect, then authorize all (as the admin API does: store, then push) ---
log('connecting agents');
const agentProc = child();
await request(agentProc, {
  url: controllerUrl,
  mode: 'controller',
  tenantToken,
  from: 0,
  to: agents,
  window: 256,
});
const ids = Array.from({ length: agents }, (_, i) => benchAgentIdentity(i).workstationId);
for (let at = 0; at < ids.length; at += 1000) {
  const chunk = ids.slice(at, at + 1000);
  await repos.workstations.setState(tenant.id, chunk, 'authorized');
  for (const id of chunk) runtime.controller.pushAuthorization(tenant.id, id, 'authorized');
}
// Resolves once the orchestrator's queue has applied every agent event before it.
await runtime.orchestrator.handleAgentEvent({
  type: 'authorization',
  tenantId: tenant.id,
  workstationId: 'bench-drain',
  state: 'forbidden',
});
log(`${agents} agents connected and authorized`);

// --- baseline: bare ws round trip, same payload size as a capture.start, sequential ---
const bare = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  perMessageDeflate: false,
  maxPayload: 64 * 1024,
});
await new Promise((r) => bare.once('listening', r));
const bareSockets: Ws[] = [];
bare.on('connection', (ws) => bareSockets.push(ws));
const bareProc = child();
const bareCount = Math.min(agents, 200);
await request(bareProc, {
  url: `ws://127.0.0.1:${(bare.address() as { port: number }).port}/`,
  mode: 'bare',
  tenantToken,
  from: 0,
  to: bareCount,
  window: 64,
});
const payload = JSON.stringify({
  v: PROTOCOL_VERSION,
  type: 'capture.start',
  captureId: `cap_${randomBytes(12).toString('hex')}`,
  recordingId: randomBytes(16).toString('hex'),
  settings: {
    fps: 5,
    bitrateKbps: 300,
    maxFileSeconds: 600,
    maxRecordingSeconds: 7200,
    multiMonitor: 'primary',
  },
  uploadToken: randomBytes(32).toString('base64url'),
});
const bareRtt: number[] = [];
for (let s = 0; s < baselineSamples; s++) {
  const ws = bareSockets[s % bareSockets.length]!;
  const t0 = now();
  await new Promise<void>((resolve) => {
    ws.once('message', () => resolve());
    ws.send(payload);
  });
  bareRtt.push(now() - t0);
}
bareProc.kill();
await new Promise((r) => bare.close(r));

// --- calls ---
const total = Math.round(rate * seconds);
const plan = simulateCalls(
  {
    agents: `${benchExtension(0)}-${benchExtension(agents - 1)}`,
    abandonedProbability: 0,
    callIdPrefix: 'bench-',
    seed: 42,
  },
  total,
);
const events = plan.events.slice(0, total);
const indexOf = new Map(ids.map((id, i) => [id, i]));
const extIndex = (ext: string) => Number(ext) - 100_000;
const pending = new Map<number, number[]>(); // agent index → t0 of its starts awaiting capture.started
const sentAt = new Map<number, number[]>(); // agent index → t0 of every start, for the one-way match
const roundTrip: number[] = [];
const applied: number[] = [];
let fired = 0;
let done = 0;
let failed = 0;
let expectedStarts = 0;
runtime.controller.onAgentEvent((event) => {
  if (event.type !== 'capture' || event.message.type !== 'capture.started') return;
  const t0 = pending.get(indexOf.get(event.workstationId)!)?.shift();
  if (t0 !== undefined) roundTrip.push(now() - t0);
});

log(`firing ${events.length} events at ${rate}/s`);
countQueries = true;
const began = now();
await new Promise<void>((resolve) => {
  const tick = () => {
    const due = Math.min(events.length, Math.floor(((now() - began) * rate) / 1000) + 1);
    while (fired < due) {
      const planned = events[fired++]!;
      const i = extIndex(planned.event.agent.value);
      const t0 = now();
      if (planned.event.type === 'call.started') {
        expectedStarts++;
        (pending.get(i) ?? pending.set(i, []).get(i)!).push(t0);
        (sentAt.get(i) ?? sentAt.set(i, []).get(i)!).push(t0);
      }
      runtime.orchestrator
        .handleCallEvent(tenant.id, 'bench', { ...planned.event, at: new Date() })
        .then(
          () => applied.push(now() - t0),
          () => failed++,
        )
        .finally(() => done++);
    }
    if (fired < events.length) setTimeout(tick, 2);
    else resolve();
  };
  tick();
});
const fireSeconds = (now() - began) / 1000;
const deadline = Date.now() + 120_000;
while ((done < fired || roundTrip.length < expectedStarts) && Date.now() < deadline)
  await new Promise((r) => setTimeout(r, 100));
await new Promise((r) => setTimeout(r, 500));

const report = await request<{ startsReceived: number; arrivals: [number, number][] }>(agentProc, {
  type: 'report',
});
countQueries = false;
const oneWay: number[] = [];
const seen = new Map<number, number>();
for (const [i, at] of report.arrivals) {
  const k = seen.get(i) ?? 0;
  seen.set(i, k + 1);
  const t0 = sentAt.get(i)?.[k];
  if (t0 !== undefined) oneWay.push(at - t0);
}
agentProc.kill();
await host.stop();
await fs.rm(dataDir, { recursive: true, force: true });
if (schema) {
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`drop schema if exists "${schema}" cascade`);
  await client.end();
}

const f = (v: number) => v.toFixed(2);
const result = {
  agents,
  rate,
  database,
  achievedRate: Math.round(events.length / fireSeconds),
  events: events.length,
  applied: done - failed,
  failed,
  startsExpected: expectedStarts,
  startsReceived: report.startsReceived,
  lost: expectedStarts - report.startsReceived,
  oneWayP50: percentile(oneWay, 50),
  oneWayP99: percentile(oneWay, 99),
  roundTripP50: percentile(roundTrip, 50),
  roundTripP99: percentile(roundTrip, 99),
  appliedP50: percentile(applied, 50),
  appliedP99: percentile(applied, 99),
  bareP50: percentile(bareRtt, 50),
  bareP99: percentile(bareRtt, 99),
};
console.log(
  '| agents | events/s (achieved) | DB | events | applied | starts expected | received | lost | event→capture.start p50 / p99 ms | event→capture.started at host p50 / p99 ms | event applied p50 / p99 ms | bare ws RTT p50 / p99 ms | p99 ratio: event→capture.start / bare (target ≤ 3) | p99 ratio: round trip / bare |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
console.log(
  `| ${agents} | ${rate} (${result.achievedRate}) | ${database} | ${result.events} | ${result.applied} | ${expectedStarts} | ${report.startsReceived} | ${result.lost} | ${f(result.oneWayP50)} / ${f(result.oneWayP99)} | ${f(result.roundTripP50)} / ${f(result.roundTripP99)} | ${f(result.appliedP50)} / ${f(result.appliedP99)} | ${f(result.bareP50)} / ${f(result.bareP99)} | ×${f(result.oneWayP99 / result.bareP99)} | ×${f(result.roundTripP99 / result.bareP99)} |`,
);
console.log(JSON.stringify(result));
console.log(`orchestrator decisions: ${JSON.stringify(Object.fromEntries(decisions))}`);
if (queryStats.size) {
  console.log('\n| statement (calls phase) | count | per event | total ms |\n|---|---|---|---|');
  for (const [key, stat] of [...queryStats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    console.log(
      `| ${key.replaceAll('|', '\\|')} | ${stat.count} | ${(stat.count / events.length).toFixed(2)} | ${stat.ms.toFixed(0)} |`,
    );
}
process.exit(0);
