import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { PROTOCOL_VERSION } from '@deskrec/core';
import { test } from 'uvu';
import { type E2eHost, startE2eHost, until } from './support/e2e-host.js';
import { hello, newIdentity, TestAgent } from './support/test-agent.js';

let h: E2eHost;
let agent: TestAgent | undefined;

test.before(async () => {
  h = await startE2eHost();
});

test.after(async () => {
  agent?.ws.close();
  await h?.stop();
  await fs.rm(h.dataDir, { recursive: true, force: true });
});

test("an agent's spool report lands in the System Log and on the workstation's audit trail", async () => {
  const identity = newIdentity(h.token);
  agent = await TestAgent.connect(`ws://127.0.0.1:${h.controllerPort}`);
  agent.send(hello(identity));
  await agent.next('welcome');
  const at = new Date().toISOString();
  agent.send({
    v: PROTOCOL_VERSION,
    type: 'spool.report',
    kind: 'spool-full',
    freeMb: 3,
    reason: 'only 3 MiB free in /var/lib/deskrec-agent/spool; captures need 500 MiB',
    at,
  });
  agent.send({
    v: PROTOCOL_VERSION,
    type: 'spool.report',
    kind: 'file-discarded',
    captureId: 'cap-1',
    fileName: 'cap-1-m0-00004.mp4',
    bytes: 48,
    reason: 'deleted after a crash: holds no video frame',
    at,
  });
  const rows = await until('both reports on the audit trail', async () => {
    const found = await h.host
      .services()
      .database.db.selectFrom('audit_log')
      .selectAll()
      .where('target_type', '=', 'workstation')
      .where('target_id', '=', identity.workstationId)
      .orderBy('id')
      .execute();
    return found.length === 2 && found;
  });
  assert.deepEqual(
    rows.map((r) => r.action),
    ['agent.spool-full', 'agent.file-discarded'],
  );
  const detail = rows[1]!.detail as Record<string, unknown>;
  assert.equal(detail.fileName, 'cap-1-m0-00004.mp4');
  assert.equal(rows[0]!.tenant_id, h.tenantId);
  const log = await h.api('GET', '/api/system-log?level=warn&limit=100');
  const lines = log.body.items.filter((l: { msg: string }) => l.msg.startsWith('agent spool:'));
  assert.equal(lines.length, 2, JSON.stringify(log.body.items.slice(0, 5)));
  assert.equal(lines[1].fields.workstationId, identity.workstationId);

  // The workstation page shows them to the admin.
  const login = await fetch(`${h.started.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: h.started.firstStart!.password }),
  });
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const page = await (
    await fetch(`${h.started.url}/admin/workstations/${identity.workstationId}`, { headers: { cookie } })
  ).text();
  assert.match(page, /<h2 class="section" id="ws-spool-h">\s*Agent spool/);
  assert.match(
    page,
    /File discarded<\/strong><span class="mono"> cap-1-m0-00004\.mp4<\/span>: deleted after a crash/,
  );
  assert.match(page, /Spool full<\/strong>: only 3 MiB free/);

  agent.send({ v: PROTOCOL_VERSION, type: 'spool.report', kind: 'spool-full', reason: 'x'.repeat(2000), at });
  const error = await agent.next('error');
  assert.match(error.message, /reason/);
});

test.run();
