import assert from 'node:assert/strict';
import http from 'node:http';
import { silentLogger, systemClock } from '@deskrec/core';
import { serve } from '@hono/node-server';
import { suite } from 'uvu';
import { signedHeaders, WebhookOptionsSchema, WebhookSource } from '../src/index.js';
import { ended, RecordingSink, SECRET } from './helpers.js';

/** The handler behind a real HTTP server (the adapter the host also uses), reached over loopback. */
const overHttp = suite('pbx-webhook: over a real HTTP server');

async function listen(source: WebhookSource): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve(
      { fetch: (req) => source.handleHttp(req), port: 0, hostname: '127.0.0.1' },
      (info) => {
        resolve({
          url: `http://127.0.0.1:${info.port}/`,
          close: () =>
            new Promise((done) => {
              server.close(() => done());
              // The 413 test leaves a half-read upload; its connection must not hold close() open.
              (server as http.Server).closeAllConnections();
            }),
        });
      },
    );
  });
}

async function running() {
  const source = new WebhookSource(WebhookOptionsSchema.parse({ secret: SECRET, maxBodyBytes: 4096 }), {
    clock: systemClock,
    logger: silentLogger,
  });
  const sink = new RecordingSink();
  await source.start(sink);
  return { source, sink, server: await listen(source) };
}

overHttp('a signed POST from fetch is accepted', async () => {
  const { source, sink, server } = await running();
  try {
    const body = JSON.stringify([ended('h-1')]);
    const res = await fetch(server.url, { method: 'POST', headers: signedHeaders(SECRET, body), body });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { accepted: 1, duplicates: 0 });
    assert.equal(sink.events[0]?.callId, 'h-1');
  } finally {
    await source.stop();
    await server.close();
  }
});

overHttp('a chunked upload past the limit gets 413 before the client finished sending', async () => {
  const { source, sink, server } = await running();
  try {
    const { port } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: Number(port),
          method: 'POST',
          headers: { ...signedHeaders(SECRET, 'x'), 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      // After the answer the test destroys the request; an error before it fails the test.
      req.on('error', reject);
      // Keeps writing until the server answers: 1 MiB at most, far past the 4 KiB limit.
      let sent = 0;
      const pump = () => {
        while (sent < 1024 * 1024 && !req.destroyed) {
          sent += 1024;
          if (!req.write(Buffer.alloc(1024, 0x20))) return void req.once('drain', pump);
        }
      };
      pump();
    });
    assert.equal(status, 413);
    assert.equal(sink.events.length, 0);
  } finally {
    await source.stop();
    await server.close();
  }
});

overHttp('after stop the server answers 503', async () => {
  const { source, server } = await running();
  try {
    await source.stop();
    const body = JSON.stringify(ended());
    const res = await fetch(server.url, { method: 'POST', headers: signedHeaders(SECRET, body), body });
    assert.equal(res.status, 503);
    await res.arrayBuffer();
  } finally {
    await server.close();
  }
});

overHttp.run();
