import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { suite } from 'uvu';
import { AddressPolicy } from '../src/net/address-policy.js';
import { FetchRefused, safeFetch } from '../src/net/safe-fetch.js';

const test = suite<{ server: http.Server; base: string }>('net: fetching only from allowed addresses');

test.before(async (ctx) => {
  ctx.server = http.createServer((req, res) => {
    if (req.url === '/redirect-to-metadata') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    } else if (req.url === '/redirect-home') {
      res.writeHead(302, { location: '/audio.wav' });
      res.end();
    } else if (req.url === '/endless') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
      const chunk = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (res.write(chunk)) {}
        res.once('drain', pump);
      };
      pump();
      res.on('close', () => res.removeAllListeners('drain'));
    } else if (req.url === '/slow') {
      res.writeHead(200, { 'content-type': 'audio/wav' });
    } else {
      res.writeHead(200, { 'content-type': 'audio/wav; rate=8000' });
      res.end(Buffer.alloc(1000, 7));
    }
  });
  await new Promise<void>((r) => ctx.server.listen(0, '127.0.0.1', r));
  ctx.base = `http://127.0.0.1:${(ctx.server.address() as AddressInfo).port}`;
});
test.after(async (ctx) => {
  ctx.server.closeAllConnections();
  await new Promise((r) => ctx.server.close(r));
});

const limits = { timeoutMs: 5000, maxBytes: 100_000 };
const loopbackAllowed = new AddressPolicy(['127.0.0.0/8']);

async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    assert.ok(error instanceof FetchRefused, `expected FetchRefused, got ${error}`);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

test('the address policy: public unicast only, unless a range is allowed', () => {
  const policy = new AddressPolicy();
  assert.equal(policy.refusal('93.184.216.34'), undefined);
  assert.equal(policy.refusal('2606:2800:220:1:248:1893:25c8:1946'), undefined);
  assert.equal(policy.refusal('127.0.0.1'), '127.0.0.1 is a loopback address');
  assert.equal(policy.refusal('169.254.169.254'), '169.254.169.254 is a linkLocal address');
  assert.equal(policy.refusal('10.0.0.5'), '10.0.0.5 is a private address');
  assert.equal(policy.refusal('::ffff:192.168.1.1'), '192.168.1.1 is a private address');
  assert.equal(policy.refusal('fd12::1'), 'fd12::1 is a uniqueLocal address');
  assert.equal(policy.refusal('0.0.0.0'), '0.0.0.0 is a unspecified address');
  assert.equal(new AddressPolicy(['10.0.0.0/8']).refusal('10.0.0.5'), undefined);
});

test('loopback by IP and by name is refused by default, before any connection', async (ctx) => {
  const policy = new AddressPolicy();
  const port = (ctx.server.address() as AddressInfo).port;
  assert.match(
    await refusal(() => safeFetch(`${ctx.base}/a.wav`, { policy, ...limits })),
    /127\.0\.0\.1 is a loopback address/,
  );
  assert.match(
    await refusal(() => safeFetch(`http://localhost:${port}/a.wav`, { policy, ...limits })),
    /localhost resolves to .* loopback address/,
  );
  assert.match(
    await refusal(() => safeFetch('file:///etc/passwd', { policy, ...limits })),
    /only http and https/,
  );
});

test('an allowed range is fetched and streamed, with its content type', async (ctx) => {
  const response = await safeFetch(`${ctx.base}/a.wav`, { policy: loopbackAllowed, ...limits });
  assert.equal(response.status, 200);
  assert.equal(response.contentType, 'audio/wav');
  // Read later, as a storage target does once it has opened its connection: nothing may be lost meanwhile.
  await new Promise((r) => setTimeout(r, 100));
  let bytes = 0;
  for await (const chunk of response.body) bytes += (chunk as Buffer).length;
  assert.equal(bytes, 1000);
});

test('a redirect is followed only to an allowed address', async (ctx) => {
  const ok = await safeFetch(`${ctx.base}/redirect-home`, { policy: loopbackAllowed, ...limits });
  assert.equal(ok.url, `${ctx.base}/audio.wav`);
  ok.body.resume();
  assert.match(
    await refusal(() =>
      safeFetch(`${ctx.base}/redirect-to-metadata`, { policy: loopbackAllowed, ...limits }),
    ),
    /169\.254\.169\.254 is a linkLocal address/,
  );
});

test('a body past the size limit is cut; a silent server hits the time limit', async (ctx) => {
  const endless = await safeFetch(`${ctx.base}/endless`, { policy: loopbackAllowed, ...limits });
  await assert.rejects(
    (async () => {
      for await (const _ of endless.body) {
      }
    })(),
    /sent more than the limit of 100000 bytes/,
  );
  // Headers never come: the time limit covers the whole exchange, not only the body.
  await assert.rejects(
    safeFetch(`${ctx.base}/slow`, { policy: loopbackAllowed, timeoutMs: 300, maxBytes: 10 }),
    /aborted/,
  );
});

test.run();
