// The agents' side of the calls benchmark, in its own process. Controller mode: opens N agent connections
// (hello with login BENCH\agent<i>), answers capture.start with capture.started and capture.stop with
// capture.stopped, and reports when each capture.start arrived. Bare mode: echoes every message.
import { PROTOCOL_VERSION } from '@deskrec/core';
import WebSocket from 'ws';
import { benchAgentIdentity, benchLogin } from './identities.js';

interface Start {
  url: string;
  mode: 'controller' | 'bare';
  tenantToken: string;
  from: number;
  to: number;
  window: number;
}

/** Wall-clock time in ms with sub-ms resolution, comparable across processes on one machine. */
const now = () => performance.timeOrigin + performance.now();
const sockets: WebSocket[] = [];
let startsReceived = 0;
const arrivals: [number, number][] = [];

function answer(ws: WebSocket, i: number, data: Buffer): void {
  const message = JSON.parse(data.toString()) as { type: string; captureId?: string };
  const at = new Date().toISOString();
  if (message.type === 'capture.start') {
    arrivals.push([i, now()]);
    startsReceived++;
    ws.send(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: 'capture.started',
        captureId: message.captureId,
        startedAt: at,
      }),
    );
  } else if (message.type === 'capture.stop') {
    ws.send(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: 'capture.stopped',
        captureId: message.captureId,
        stoppedAt: at,
        reason: 'bench',
      }),
    );
  }
}

function open(start: Start, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(start.url, { perMessageDeflate: false });
    sockets.push(ws);
    ws.once('error', reject);
    ws.once('open', () => {
      if (start.mode === 'bare') {
        ws.on('message', (data: Buffer) => ws.send(data));
        resolve();
        return;
      }
      ws.send(
        JSON.stringify({
          v: PROTOCOL_VERSION,
          type: 'hello',
          tenantToken: start.tenantToken,
          ...benchAgentIdentity(i),
          computerName: `PC-${i}`,
          os: { platform: 'linux', release: 'bench' },
          agentVersion: '0.0.0-bench',
          monitors: [],
          login: benchLogin(i),
        }),
      );
      ws.once('message', (data: Buffer) => {
        const welcome = JSON.parse(data.toString()) as { type: string };
        if (welcome.type !== 'welcome') return reject(new Error(`agent ${i}: ${data.toString()}`));
        ws.on('message', (next: Buffer) => answer(ws, i, next));
        resolve();
      });
    });
  });
}

process.on('message', async (request: Start | { type: 'report' }) => {
  if ('type' in request) {
    process.send?.({ type: 'report', startsReceived, arrivals: arrivals.splice(0) });
    return;
  }
  let next = request.from;
  const worker = async () => {
    while (next < request.to) await open(request, next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(request.window, request.to - request.from) }, worker));
    process.send?.({ type: 'connected' });
  } catch (error) {
    process.send?.({ type: 'failed', error: (error as Error).message });
  }
});

process.on('disconnect', () => process.exit(0));
