import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'uvu';
import {
  type AgentProcess,
  type E2eHost,
  startAgentProcess,
  startE2eHost,
  until,
} from './support/e2e-host.js';
import { hello, newIdentity, TestAgent } from './support/test-agent.js';

let h: E2eHost;
let agent: AgentProcess | undefined;
const sockets: net.Socket[] = [];
const floodAgents: TestAgent[] = [];

test.before(async () => {
  h = await startE2eHost([
    'controller: { host: 127.0.0.1, ephemeralPorts: true, tlsPort: 0, limits: { maxConnectionsPerAddress: 20, enrollmentsPerMinute: 3 } }',
  ]);
});
test.after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(floodAgents.map((a) => a.close().catch(() => undefined)));
  await agent?.kill();
  await h?.stop();
});

test('socket and enrollment floods are refused while a real agent records a call to the end', async () => {
  const users = await h.api('POST', '/api/users', {
    name: 'Flo Agent',
    screenRecordingLogin: 'E2E\\flo',
    seatLicence: true,
    extensions: ['2001'],
  });
  assert.equal(users.status, 201);
  const settings = await h.api('GET', '/api/settings');
  await h.api('PUT', '/api/settings', { ...settings.body, wrapUpSeconds: 0, maxFileSeconds: 10 });
  agent = await startAgentProcess({ controllerPort: h.controllerPort, token: h.token, login: 'e2e\\flo' });
  const pending = await until('the agent to appear as pending', async () => {
    const list = await h.api('GET', '/api/workstations?state=pending');
    return list.body.items[0];
  });
  await h.api('POST', '/api/workstations/authorize', { ids: [pending.id] });
  await until('the agent to be authorized and online', async () => {
    const text = await (await fetch(`${h.started.url}/metrics`)).text();
    return text.includes('deskrec_connected_agents{state="authorized"} 1');
  });

  const at = new Date();
  const base = { callId: 'flood-call', direction: 'inbound', agent: { by: 'extension', value: '2001' } };
  assert.equal(await h.postCallEvent({ ...base, type: 'call.started', at: at.toISOString() }), 202);
  await until('the capture to start', async () => {
    const rows = await h.host.services().database.db.selectFrom('recordings').selectAll().execute();
    return rows[0]?.state === 'recording';
  });

  // Enrollment flood with the copied tenant token: three get in as pending, the rest are closed with 4429.
  const closes: number[] = [];
  for (let i = 0; i < 8; i++) {
    const fake = await TestAgent.connect(`ws://127.0.0.1:${h.controllerPort}/`);
    floodAgents.push(fake);
    fake.send(hello(newIdentity(h.token)));
    const first = await fake.next(i < 2 ? 'welcome' : 'error').catch(() => undefined);
    if (first?.type === 'error') closes.push((await fake.closed).code);
  }
  assert.ok(closes.length >= 5, `most fake enrollments refused, got ${closes.length}`);
  assert.ok(closes.every((code) => code === 4429));
  // Socket flood from one address: everything over the limit is cut at once.
  const port = h.controllerPort;
  const cut = await Promise.all(
    Array.from({ length: 40 }, () => {
      const socket = net.connect(port, '127.0.0.1');
      sockets.push(socket);
      return new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (d) => {
          text += d;
        });
        socket.on('error', () => resolve(text));
        socket.on('close', () => resolve(text));
        setTimeout(() => resolve('kept'), 2000);
      });
    }),
  );
  assert.ok(cut.filter((t) => t.includes('the limit per address')).length >= 10, 'the flood is cut');

  assert.equal(
    await h.postCallEvent({ ...base, type: 'call.ended', at: new Date(at.getTime() + 15_000).toISOString() }),
    202,
  );
  const db = h.host.services().database.db;
  const stored = await until(
    'the recording to be stored',
    async () => {
      const rows = await db.selectFrom('recordings').selectAll().execute();
      return rows[0]?.state === 'stored' ? rows[0] : undefined;
    },
    120_000,
  );
  const segments = await db
    .selectFrom('segments')
    .selectAll()
    .where('recording_id', '=', stored.id)
    .execute();
  assert.ok(
    segments.length >= 1 && segments.every((s) => s.state === 'stored'),
    'the real agent recorded it all',
  );
  const log = await h.api('GET', '/api/system-log?level=warn&limit=500');
  const msgs = log.body.items.map((l: { msg: string }) => l.msg);
  assert.ok(msgs.includes('enrollment refused'));
  assert.ok(msgs.some((m: string) => m.startsWith('connection refused:')));
});

test.run();
