import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { silentLogger } from '@deskrec/core';
import { generate } from 'selfsigned';
import { test } from 'uvu';
import { WebSocketServer } from 'ws';
import { Backoff } from '../src/controller/backoff.js';
import { ControllerClient } from '../src/controller/controller-client.js';
import { CertificatePin } from '../src/controller/tls-pin.js';

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

const until = async (check: () => boolean, what: string) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), `timed out waiting for: ${what}`);
};

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const pems = await generate([{ name: 'commonName', value: 'controller.test' }], {
  keyType: 'ec',
  curve: 'P-256',
  algorithm: 'sha256',
} as never);

/** A WebSocket controller stand-in, plain or over TLS. */
async function wsServer(secure: boolean) {
  const http = secure ? https.createServer({ key: pems.private, cert: pems.cert }) : undefined;
  const server = http
    ? new WebSocketServer({ server: http })
    : new WebSocketServer({ host: '127.0.0.1', port: 0 });
  if (http) await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  else await new Promise((r) => server.once('listening', r));
  const port = ((http ?? server).address() as net.AddressInfo).port;
  return {
    port,
    close: async () => {
      for (const c of server.clients) c.terminate();
      await new Promise((r) => server.close(r));
      if (http) {
        http.closeAllConnections();
        await new Promise((r) => http.close(r));
      }
    },
  };
}

function client(
  port: number,
  useTls: boolean,
  extra: Partial<ConstructorParameters<typeof ControllerClient>[0]> = {},
) {
  const lines: string[] = [];
  const backoff = new Backoff(20, 200);
  const c = new ControllerClient({
    addresses: [{ host: '127.0.0.1', port }],
    tls: useTls,
    logger: silentLogger,
    hello,
    returnToPrimaryMs: 60_000,
    backoff,
    console: (line) => lines.push(line),
    ...extra,
  });
  return { c, lines, backoff };
}

test('refused: one line naming the address and the port to check, not one per retry', async () => {
  const port = await closedPort();
  const { c, lines, backoff } = client(port, false);
  c.start();
  await until(() => backoff.attempts >= 4, 'several retries');
  await c.stop();
  assert.deepEqual(lines, [
    `deskrec-agent: cannot connect to the controller: 127.0.0.1:${port} refused the connection: is the host running and is ${port} its controller TCP port?; retrying with backoff`,
  ]);
  assert.equal(c.lastProblem?.kind, 'refused');
});

test('DNS: a name that does not resolve says so', async () => {
  const lines: string[] = [];
  const c = new ControllerClient({
    addresses: [{ host: 'controller.invalid', port: 6091 }],
    tls: false,
    logger: silentLogger,
    hello,
    returnToPrimaryMs: 60_000,
    backoff: new Backoff(20, 100),
    console: (line) => lines.push(line),
  });
  c.start();
  await until(() => lines.length > 0, 'a line');
  await c.stop();
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /controller\.invalid does not resolve \(DNS E[A-Z_]+\); check SERVER1\/SERVER2/);
});

test('USE_SSL=1 against the plain port: says the port does not speak TLS', async () => {
  const plain = await wsServer(false);
  const { c, lines, backoff } = client(plain.port, true);
  c.start();
  await until(() => backoff.attempts >= 3, 'several retries');
  await c.stop();
  await plain.close();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /does not speak TLS: USE_SSL is 1 but this looks like the plain port/);
});

test('USE_SSL=0 against the TLS port: suggests USE_SSL=1', async () => {
  const secure = await wsServer(true);
  const { c, lines, backoff } = client(secure.port, false);
  c.start();
  await until(() => backoff.attempts >= 3, 'several retries');
  await c.stop();
  await secure.close();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /if it is the TLS port \(6092\), set USE_SSL=1/);
});

test('wrong pinned fingerprint: fails in the handshake, one line, and the backoff keeps growing', async () => {
  const secure = await wsServer(true);
  const pin = new CertificatePin('/nonexistent/pin', `${'AB:'.repeat(31)}AB`);
  const { c, lines, backoff } = client(secure.port, true, { pin });
  c.start();
  await until(() => backoff.attempts >= 4, 'four failed handshakes, the backoff never reset in between');
  await c.stop();
  await secure.close();
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /controller certificate changed: expected the pinned AB:AB/);
});

test('the right pin connects, and the console says so once', async () => {
  const secure = await wsServer(true);
  const fingerprint = new (await import('node:crypto')).X509Certificate(pems.cert).fingerprint256;
  const { c, lines } = client(secure.port, true, {
    pin: new CertificatePin('/nonexistent/pin', fingerprint),
  });
  c.start();
  await until(() => c.connected, 'connected');
  await c.stop();
  await secure.close();
  assert.deepEqual(lines, [`deskrec-agent: connected to the controller at 127.0.0.1:${secure.port}`]);
});

test('backoff: grows from base to cap with jitter in the upper half, and resets', () => {
  const top = new Backoff(100, 1000, () => 1);
  assert.deepEqual(
    Array.from({ length: 6 }, () => top.next()),
    [100, 200, 400, 800, 1000, 1000],
  );
  const low = new Backoff(100, 1000, () => 0);
  assert.deepEqual(
    Array.from({ length: 3 }, () => low.next()),
    [50, 100, 200],
  );
  assert.equal(low.attempts, 3);
  low.reset();
  assert.equal(low.attempts, 0);
  assert.throws(() => new Backoff(0, 10), /0 < base/);
});

test.run();
