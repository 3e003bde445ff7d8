import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@deskrec/core';
import { test } from 'uvu';
import { WebSocketServer } from 'ws';
import { Backoff } from '../src/controller/backoff.js';
import { ControllerClient } from '../src/controller/controller-client.js';

/** A peer that accepts agent connections and records who said hello; stands in for a controller here. */
async function peer(port = 0) {
  const hellos: string[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  await new Promise((r) => server.once('listening', r));
  server.on('connection', (socket) =>
    socket.on('message', (data) => hellos.push(JSON.parse(String(data)).type)),
  );
  return {
    hellos,
    port: (server.address() as AddressInfo).port,
    server,
    async close() {
      for (const client of server.clients) client.terminate();
      await new Promise((r) => server.close(r));
    },
  };
}

const hello = () => ({
  tenantToken: 't'.repeat(32),
  workstationId: 'ws_0123456789abcdef',
  workstationSecret: 's'.repeat(43),
  computerName: 'PC',
  os: { platform: 'linux', release: 'x' },
  agentVersion: '0.1.0',
  monitors: [],
  login: null,
});

function client(
  addresses: { host: string; port: number }[],
  returnToPrimaryMs = 60_000,
  slowRetryMs = 60_000,
) {
  return new ControllerClient({
    slowRetryMs,
    addresses,
    tls: false,
    logger: silentLogger,
    hello,
    returnToPrimaryMs,
    backoff: new Backoff(20, 100),
  });
}

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), `timed out waiting for: ${what}`);
};

test('fails over to the secondary when the primary is down, and returns when it is back', async () => {
  const secondary = await peer();
  const placeholder = await peer();
  const primaryPort = placeholder.port;
  await placeholder.close();
  const c = client(
    [
      { host: '127.0.0.1', port: primaryPort },
      { host: '127.0.0.1', port: secondary.port },
    ],
    200,
  );
  c.start();
  await until(() => secondary.hellos.length === 1, 'hello on the secondary');
  assert.equal(c.current?.port, secondary.port);
  const primary = await peer(primaryPort);
  await until(() => primary.hellos.length === 1, 'hello on the primary once it is back');
  assert.equal(c.current?.port, primaryPort);
  await c.stop();
  await primary.close();
  await secondary.close();
});

test('an address that does not resolve is skipped, never replaced', async () => {
  const secondary = await peer();
  const c = client([
    { host: 'controller.invalid', port: secondary.port },
    { host: '127.0.0.1', port: secondary.port },
  ]);
  c.start();
  await until(() => secondary.hellos.length === 1, 'hello on the secondary');
  assert.equal(c.current?.host, '127.0.0.1');
  await c.stop();
  await secondary.close();
});

test('reconnects after the controller drops the connection, saying hello again', async () => {
  const only = await peer();
  const c = client([{ host: '127.0.0.1', port: only.port }]);
  c.start();
  await until(() => only.hellos.length === 1, 'first hello');
  for (const socket of only.server.clients) socket.terminate();
  await until(() => only.hellos.length === 2, 'hello after the drop');
  await c.stop();
  assert.equal(c.connected, false);
  await only.close();
});

test('after a refusal (forbidden) the agent waits the long delay instead of hammering the host', async () => {
  const only = await peer();
  only.server.on('connection', (socket) => socket.once('message', () => socket.close(4403, 'forbidden')));
  const patient = client([{ host: '127.0.0.1', port: only.port }], 60_000, 60_000);
  patient.start();
  await until(() => only.hellos.length === 1, 'first hello');
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(
    only.hellos.length,
    1,
    'no reconnect during the long delay (backoff alone would have retried by now)',
  );
  await patient.stop();
  const quick = client([{ host: '127.0.0.1', port: only.port }], 60_000, 100);
  quick.start();
  await until(() => only.hellos.length >= 3, 'reconnects once the long delay is over');
  await quick.stop();
  await only.close();
});

test.run();
