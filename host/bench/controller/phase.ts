// One benchmark phase in a fresh host process (so one phase's freed memory cannot hide the next one's growth):
// starts the controller or a bare ws server, has a child process connect N agents, and measures the host's
// resident-memory growth per connection and the command round trip. Prints one JSON line.
import { fork } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hashSecret, TokenAuthOptionsSchema, TokenAuthPolicy } from '@deskrec/auth-token';
import { ControllerSettingsSchema, MAX_MESSAGE_BYTES, PROTOCOL_VERSION, silentLogger } from '@deskrec/core';
import WebSocket, { WebSocketServer } from 'ws';
import { createController, loadTlsMaterial } from '../../src/controller/index.js';
import { MemoryWorkstationDirectory } from '../../test/support/memory-directory.js';
import { BENCH_TOKEN, benchIdentity } from './identities.js';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const server = arg('server', 'controller') as 'controller' | 'bare';
const tls = arg('transport', 'plain') === 'tls';
const n = Number(arg('n', '1000'));
const samples = Number(arg('samples', '5000'));

/** A directory where every bench agent is enrolled and authorized; presence writes are dropped. */
class BenchDirectory extends MemoryWorkstationDirectory {
  override async recordConnected(): Promise<void> {}
  override async recordDisconnected(): Promise<void> {}
}

if (!globalThis.gc) throw new Error('run with node --expose-gc');
const gc: () => void = globalThis.gc;
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(300);
  }
  return process.memoryUsage();
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-bench-controller-'));
const material = tls
  ? await loadTlsMaterial(ControllerSettingsSchema.parse({}), dataDir, silentLogger)
  : undefined;

let url: string;
let command: (i: number, captureId: string) => Promise<void>;
let close: () => Promise<void>;

if (server === 'controller') {
  const directory = new BenchDirectory().addTenant('bench', BENCH_TOKEN);
  for (let i = 0; i < n; i++) {
    const { workstationId, workstationSecret } = benchIdentity(i);
    directory.put({
      tenantId: 'bench',
      workstationId,
      secretHash: hashSecret(workstationSecret),
      state: 'authorized',
      computerName: `PC-${i}`,
    });
  }
  const controller = createController({
    settings: ControllerSettingsSchema.parse({ tcpPort: tls ? 0 : 6091, tlsPort: tls ? 6092 : 0 }),
    host: '127.0.0.1',
    ephemeralPorts: true,
    dataDir,
    directory,
    authPolicy: new TokenAuthPolicy(TokenAuthOptionsSchema.parse({})),
    // Every benchmark agent connects from 127.0.0.1: the per-address limit would cut them off.
    maxConnections: 1_000_000,
    maxConnectionsPerAddress: 1_000_000,
  });
  await controller.start();
  const listening = controller.status().listening;
  url = tls ? `wss://127.0.0.1:${listening.tls?.port}/` : `ws://127.0.0.1:${listening.tcp?.port}/`;
  const waiting = new Map<string, () => void>();
  controller.onAgentEvent((event) => {
    if (event.type === 'capture' && event.message.type === 'capture.stopped') {
      waiting.get(event.message.captureId)?.();
    }
  });
  command = (i, captureId) =>
    new Promise((resolve, reject) => {
      waiting.set(captureId, () => {
        waiting.delete(captureId);
        resolve();
      });
      const sent = controller.send('bench', benchIdentity(i).workstationId, {
        v: PROTOCOL_VERSION,
        type: 'capture.stop',
        captureId,
        reason: 'bench',
      });
      if (!sent) reject(new Error(`agent ${i} is not connected`));
    });
  close = () => controller.stop();
} else {
  // The baseline: ws with the same payload limit, no compression, the same certificate, nothing else.
  const httpServer = material
    ? https.createServer({ key: material.key, cert: material.cert, minVersion: 'TLSv1.2' })
    : http.createServer();
  const wss = new WebSocketServer({
    server: httpServer,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const sockets: WebSocket[] = [];
  const waiting = new Map<string, () => void>();
  wss.on('connection', (ws) => {
    ws.once('message', (data: Buffer) => {
      sockets[(JSON.parse(data.toString()) as { i: number }).i] = ws;
      ws.on('message', (reply: Buffer) => {
        const message = JSON.parse(reply.toString()) as { captureId: string };
        waiting.get(message.captureId)?.();
      });
    });
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as { port: number };
  url = `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}/`;
  command = (i, captureId) =>
    new Promise((resolve) => {
      waiting.set(captureId, () => {
        waiting.delete(captureId);
        resolve();
      });
      sockets[i]?.send(
        JSON.stringify({ v: PROTOCOL_VERSION, type: 'capture.stop', captureId, reason: 'bench' }),
      );
    });
  close = async () => {
    for (const ws of sockets) ws?.terminate();
    await new Promise((resolve) => httpServer.close(resolve));
  };
}

const agents = fork(path.join(import.meta.dirname, 'agents.ts'), [], {
  execArgv: ['--import', 'tsx', '--max-old-space-size=8192'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
agents.once('exit', (code) => {
  if (code !== 0 && code !== null) throw new Error(`agents process exited with ${code}`);
});
const openAgents = (from: number, to: number) =>
  new Promise<number>((resolve, reject) => {
    agents.once('message', (message: { type: string; ms: number; error?: string }) =>
      message.type === 'connected' ? resolve(message.ms) : reject(new Error(message.error)),
    );
    agents.send({ url, server, ca: material?.cert, window: tls ? 64 : 256, from, to });
  });
// A warm-up batch first, so code compiled and caches filled on first use do not count as per-agent memory.
const warm = Math.min(200, Math.floor(n / 10));
await openAgents(0, warm);
const before = await settledMemory();
const connectMs = await openAgents(warm, n);
const after = await settledMemory();

const times: number[] = [];
for (let s = 0; s < samples; s++) {
  const i = Math.floor(Math.random() * n);
  const began = performance.now();
  await command(i, `cap-${s}`);
  times.push(performance.now() - began);
}
times.sort((a, b) => a - b);
const pct = (p: number) =>
  times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? Number.NaN;

agents.disconnect();
agents.kill();
await close();
await fs.rm(dataDir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    server,
    transport: tls ? 'tls' : 'plain',
    n,
    connectPerSecond: Math.round((n - warm) / (connectMs / 1000)),
    bytesPerConnection: Math.round((after.rss - before.rss) / (n - warm)),
    heapBytesPerConnection: Math.round((after.heapUsed - before.heapUsed) / (n - warm)),
    rttP50Ms: pct(50),
    rttP99Ms: pct(99),
    samples,
  }),
);
process.exit(0);
