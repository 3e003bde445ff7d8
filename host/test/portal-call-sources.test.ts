import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'uvu';
import { type E2eHost, startE2eHost, until, WEBHOOK_SECRET } from './support/e2e-host.js';

let h: E2eHost;

/** A port nothing listens on: the Asterisk source's connects are refused, as with a PBX that is down. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

test.before(async () => {
  const port = await closedPort();
  h = await startE2eHost(
    [],
    `[
      { use: webhook, id: crm, options: { secret: ${WEBHOOK_SECRET} } },
      { use: asterisk, id: main-pbx, options: { host: 127.0.0.1, port: ${port}, username: deskrec, secret: s3cret, reconnectMinSeconds: 0.2, reconnectMaxSeconds: 0.5 } },
      { use: webhook, id: elsewhere, tenant: other, options: { secret: ${WEBHOOK_SECRET} } }
    ]`,
  );
});
test.after(async () => {
  await h?.stop();
});

test("admins see each source of their tenant: state, failures; other tenants' are hidden", async () => {
  const sources = await until('the Asterisk source to report its failed connect', async () => {
    const { status, body } = await h.api('GET', '/api/call-sources');
    assert.equal(status, 200);
    const pbx = body.items.find((s: { id: string }) => s.id === 'main-pbx');
    return pbx?.lastFailure ? body.items : undefined;
  });
  assert.deepEqual(
    sources.map((s: { id: string }) => s.id),
    ['crm', 'main-pbx'],
    'the source bound to tenant "other" is not listed',
  );
  const pbx = sources.find((s: { id: string }) => s.id === 'main-pbx');
  assert.equal(pbx.state, 'disconnected');
  assert.equal(pbx.lastFailure.kind, 'refused');
  // The embedded database has one host: it always holds the source's cluster lock.
  assert.equal(pbx.runsHere, true);
  assert.equal(pbx.heldBy, undefined);
  const crm = sources.find((s: { id: string }) => s.id === 'crm');
  assert.equal(crm.state, 'connected');
  assert.equal(crm.runsHere, true);

  const login = await fetch(`${h.started.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: h.started.firstStart!.password }),
  });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const page = await (await fetch(`${h.started.url}/admin/system-log`, { headers: { cookie } })).text();
  assert.match(page, /<h2 id="sources-title">Call-event sources<\/h2>/);
  assert.match(page, /id="source-main-pbx"[\s\S]*?disconnected[\s\S]*?last failure \(refused\)/);
  assert.match(page, /id="source-crm"[\s\S]*?connected/);
  assert.doesNotMatch(page, /id="source-elsewhere"/);
});

test.run();
