import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { suite } from 'uvu';
import {
  backoffDelayMs,
  type ConnectionSession,
  ConnectorAuthError,
  classifyNetworkError,
  connectorHealth,
  ReconcileWindow,
  ReconnectingConnection,
  silentLogger,
  systemClock,
} from '../src/index.js';
import { startTcpTestPeer } from '../src/testing/index.js';

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(done(), what);
}

const backoff = suite('connector toolkit: backoff');

backoff('equal jitter: between half the ceiling and the ceiling, doubling up to maxMs', () => {
  const options = { minMs: 100, maxMs: 1000 };
  const low = (attempt: number) => backoffDelayMs(attempt, { ...options, random: () => 0 });
  const high = (attempt: number) => backoffDelayMs(attempt, { ...options, random: () => 0.999999 });
  assert.equal(low(0), 50);
  assert.ok(Math.abs(high(0) - 100) < 0.01);
  assert.equal(low(1), 100);
  assert.equal(low(3), 400);
  assert.equal(low(4), 500, 'capped: the ceiling stops at maxMs');
  assert.equal(low(1000), 500, 'huge attempt numbers do not overflow');
  for (let i = 0; i < 200; i++) {
    const delay = backoffDelayMs(2, options);
    assert.ok(delay >= 200 && delay < 400, `attempt 2 waits in [200, 400): ${delay}`);
  }
});

const errors = suite('connector toolkit: network errors');

const connectError = (port: number) =>
  new Promise<unknown>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', resolve);
    socket.on('close', () => resolve(undefined));
  });

errors('refused, reset, TLS, auth, DNS and timeout are told apart', async () => {
  const peer = await startTcpTestPeer({ greeting: 'not a TLS server\r\n' });
  const port = peer.port;
  // TLS against a plain server: the handshake reads nonsense.
  const tlsError = await new Promise<unknown>((resolve) => {
    import('node:tls').then((tls) => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
      socket.on('error', resolve);
    });
  });
  assert.equal(classifyNetworkError(tlsError), 'tls', String(tlsError));
  // Reset: the peer drops the connection hard.
  const resetError = new Promise<unknown>((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.on('error', resolve);
    socket.on('data', () => socket.write('hello\n\n'));
  });
  const connection = await peer.nextConnection();
  const second = await peer.nextConnection();
  await second.expect('hello');
  await second.drop({ reset: true });
  assert.equal(classifyNetworkError(await resetError), 'reset');
  await connection.drop();
  await peer.close();
  assert.equal(classifyNetworkError(await connectError(port)), 'refused');
  assert.equal(classifyNetworkError(new ConnectorAuthError('login refused')), 'auth');
  assert.equal(
    classifyNetworkError(Object.assign(new Error('getaddrinfo ENOTFOUND pbx'), { code: 'ENOTFOUND' })),
    'dns',
  );
  assert.equal(classifyNetworkError(Object.assign(new Error('t'), { code: 'ETIMEDOUT' })), 'timeout');
  assert.equal(classifyNetworkError('something'), 'other');
});

const connection = suite('connector toolkit: ReconnectingConnection');

connection(
  'connects, reports ready, reconnects after a drop with the count, stops without leftovers',
  async () => {
    const peer = await startTcpTestPeer({ greeting: 'HELLO\n', delimiter: '\n' });
    const sessions: ConnectionSession[] = [];
    const received: string[] = [];
    const conn = new ReconnectingConnection({
      name: 'test',
      host: peer.host,
      port: peer.port,
      backoff: { minMs: 20, maxMs: 40 },
      logger: silentLogger,
      clock: systemClock,
      hooks: {
        connected: (session) => sessions.push(session),
        data: (chunk, session) => {
          received.push(chunk.toString());
          session.ready();
          session.write('LOGIN\n');
        },
      },
    });
    try {
      conn.start();
      const first = await peer.nextConnection();
      await first.expect('LOGIN');
      await until(() => conn.status().state === 'connected', 'connected after ready()');
      assert.equal(conn.status().reconnects, 0);
      assert.ok(conn.status().connectedSince instanceof Date);
      await first.drop();
      const second = await peer.nextConnection();
      await second.expect('LOGIN');
      await until(() => conn.status().reconnects === 1, 'a reconnect is counted');
      assert.equal(sessions[0]?.alive, false, 'the old session is dead');
      assert.equal(sessions[1]?.number, 2);
      const health = connectorHealth(conn.status(), { openCalls: 0 });
      assert.equal(health.details?.connected, true);
      assert.ok(health.details?.lastFailure, 'the drop is recorded as the last failure');
    } finally {
      await conn.stop();
      await peer.close();
    }
    assert.equal(conn.status().state, 'stopped');
  },
);

connection('a missing answer drops the session as a timeout; fail() records auth', async () => {
  const peer = await startTcpTestPeer({ delimiter: '\n' });
  let refuse = true;
  const conn = new ReconnectingConnection({
    name: 'test',
    host: peer.host,
    port: peer.port,
    backoff: { minMs: 20, maxMs: 40 },
    readyTimeoutMs: 50,
    logger: silentLogger,
    clock: systemClock,
    hooks: {
      connected: (session) => {
        if (!refuse) session.fail('auth', 'login refused: bad secret');
        refuse = !refuse;
      },
      data: () => undefined,
    },
  });
  try {
    conn.start();
    await until(() => conn.status().lastFailure?.kind === 'timeout', 'no greeting → timeout');
    await until(() => conn.status().lastFailure?.kind === 'auth', 'fail(auth) is recorded');
    assert.match(conn.status().detail ?? '', /login refused|greeting/);
  } finally {
    await conn.stop();
    await peer.close();
  }
});

/** A throwaway self-signed certificate for 127.0.0.1, made with the system's openssl. */
function selfSigned(): { key: string; cert: string } | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deskrec-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const pair = selfSigned();
if (!pair) {
  connection.skip('TLS sessions (skipped: openssl is not installed)', () => {});
} else {
  connection('TLS: a trusted certificate connects; an untrusted one is classified as tls', async () => {
    const server = tls.createServer({ key: pair.key, cert: pair.cert }, (socket) => {
      socket.on('error', () => undefined);
      socket.write('HELLO\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const open = (options: tls.ConnectionOptions) => {
      const received: string[] = [];
      const conn = new ReconnectingConnection({
        name: 'tls test',
        host: '127.0.0.1',
        port,
        tls: options,
        backoff: { minMs: 20, maxMs: 40 },
        logger: silentLogger,
        clock: systemClock,
        hooks: {
          connected: () => undefined,
          data: (chunk, session) => {
            received.push(chunk.toString());
            session.ready();
          },
        },
      });
      conn.start();
      return { conn, received };
    };
    const trusted = open({ ca: pair.cert });
    const untrusted = open({});
    try {
      await until(() => trusted.conn.status().state === 'connected', 'the trusted TLS session is up');
      assert.deepEqual(trusted.received, ['HELLO\n']);
      await until(
        () => untrusted.conn.status().lastFailure?.kind === 'tls',
        'a self-signed certificate fails as tls',
      );
      assert.notEqual(untrusted.conn.status().state, 'connected');
    } finally {
      await trusted.conn.stop();
      await untrusted.conn.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
}

const window = suite('connector toolkit: ReconcileWindow');

window('only keys tracked before the question, missing from the answer and quiet since, are stale', () => {
  const w = new ReconcileWindow(['a', 'b', 'c', 'd']);
  w.touch('b');
  w.end('c');
  assert.deepEqual(w.stale(new Set(['d'])), ['a']);
  assert.equal(w.stillLive('c'), false);
  assert.equal(w.stillLive('e'), true);
});

backoff.run();
errors.run();
connection.run();
window.run();
