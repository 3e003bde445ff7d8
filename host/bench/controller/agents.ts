// The agents' side of the benchmark, in its own process: opens the connections it is asked for (at most `window` handshakes in
// flight), completes hello where the server is the controller, then answers every capture.stop.
import { PROTOCOL_VERSION } from '@deskrec/core';
import WebSocket from 'ws';
import { BENCH_TOKEN, benchIdentity } from './identities.js';

interface Start {
  url: string;
  server: 'controller' | 'bare';
  ca?: string;
  window: number;
}

const sockets: WebSocket[] = [];

function reply(ws: WebSocket, data: Buffer): void {
  const message = JSON.parse(data.toString()) as { type: string; captureId?: string };
  if (message.type !== 'capture.stop') return;
  ws.send(
    JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'capture.stopped',
      captureId: message.captureId,
      stoppedAt: new Date().toISOString(),
      reason: 'bench',
    }),
  );
}

function open(start: Start, i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(start.url, {
      perMessageDeflate: false,
      ...(start.ca ? { ca: start.ca } : {}),
    });
    sockets.push(ws);
    ws.once('error', reject);
    ws.once('open', () => {
      if (start.server === 'bare') {
        ws.send(JSON.stringify({ i }));
        ws.on('message', (data: Buffer) => reply(ws, data));
        resolve();
        return;
      }
      ws.send(
        JSON.stringify({
          v: PROTOCOL_VERSION,
          type: 'hello',
          tenantToken: BENCH_TOKEN,
          ...benchIdentity(i),
          computerName: `PC-${i}`,
          os: { platform: 'linux', release: 'bench' },
          agentVersion: '0.0.0-bench',
          monitors: [],
          login: null,
        }),
      );
      ws.once('message', (data: Buffer) => {
        const welcome = JSON.parse(data.toString()) as { type: string; state?: string };
        if (welcome.type !== 'welcome' || welcome.state !== 'authorized') {
          reject(new Error(`agent ${i}: expected an authorized welcome, got ${data.toString()}`));
          return;
        }
        ws.on('message', (next: Buffer) => reply(ws, next));
        resolve();
      });
    });
  });
}

/** Each request opens agents [from, to) and reports how long that took. */
process.on('message', async (request: Start & { from: number; to: number }) => {
  const began = performance.now();
  let next = request.from;
  const worker = async () => {
    while (next < request.to) await open(request, next++);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(request.window, request.to - request.from) }, worker));
    process.send?.({ type: 'connected', ms: performance.now() - began });
  } catch (error) {
    process.send?.({ type: 'failed', error: (error as Error).message });
  }
});

process.on('disconnect', () => process.exit(0));
