/**
 * Run by docs/examples/verify-example.sh after it installed the packed external example into the repo's
 * node_modules: a host whose config names `deskrec-pbx-line-protocol` by package name records a call
 * that the plugin reports, end to end. Not part of `npm test` (the package is not installed there).
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'uvu';
import {
  type AgentProcess,
  type E2eHost,
  startAgentProcess,
  startE2eHost,
  until,
} from '../support/e2e-host.js';

let h: E2eHost;
let agent: AgentProcess;
const sockets = new Set<net.Socket>();
const pbx = net.createServer((socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
const say = (line: string) => {
  for (const socket of sockets) socket.write(`${line}\n`);
};

test.before(async () => {
  await new Promise<void>((resolve) => pbx.listen(0, '127.0.0.1', resolve));
  const { port } = pbx.address() as net.AddressInfo;
  h = await startE2eHost(
    [],
    `[{ use: deskrec-pbx-line-protocol, id: line, options: { host: 127.0.0.1, port: ${port} } }]`,
  );
});

test.after(async () => {
  await agent?.kill();
  await h?.stop();
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => pbx.close(resolve));
});

test('a call reported by the external plugin is recorded and stored', async () => {
  const user = await h.api('POST', '/api/users', {
    name: 'Bob',
    screenRecordingLogin: 'bob',
    seatLicence: true,
    extensions: ['1001'],
  });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  agent = await startAgentProcess({ controllerPort: h.controllerPort, token: h.token, login: 'bob' });
  const pending = await until(
    'the agent to be pending',
    async () => (await h.api('GET', '/api/workstations?state=pending')).body.items[0],
  );
  await h.api('POST', '/api/workstations/authorize', { ids: [pending.id] });
  await until('the plugin to connect', async () => sockets.size > 0);
  await until('the agent to be authorized', async () => {
    const list = await h.api('GET', '/api/workstations?state=authorized');
    return list.body.items[0]?.online;
  });

  say(`${new Date().toISOString()} START ext-call-1 1001 inbound +15551234`);
  const db = h.host.services().database.db;
  await until(
    'the capture to start',
    async () => (await db.selectFrom('recordings').selectAll().executeTakeFirst())?.state === 'recording',
  );
  await new Promise((r) => setTimeout(r, 4000));
  say(`${new Date().toISOString()} END ext-call-1 1001`);
  const recording = await until(
    'the recording to be stored',
    async () => {
      const row = await db.selectFrom('recordings').selectAll().executeTakeFirst();
      return row?.state === 'stored' ? row : undefined;
    },
    90_000,
  );
  const call = await db
    .selectFrom('calls')
    .selectAll()
    .where('external_call_id', '=', 'ext-call-1')
    .executeTakeFirstOrThrow();
  assert.equal(call.source_id, 'line');
  const links = await db.selectFrom('call_recordings').selectAll().where('call_id', '=', call.id).execute();
  assert.deepEqual(
    links.map((l) => l.recording_id),
    [recording.id],
  );
  console.log(`external plugin: call ${call.external_call_id} recorded as ${recording.id}`);
});

test.run();
