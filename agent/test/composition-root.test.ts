import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@deskrec/core';
import { test } from 'uvu';
import { AgentDaemon } from '../src/app/agent-daemon.js';
import { createAgentContainer } from '../src/app/composition-root.js';
import { AGENT_TOKENS } from '../src/app/tokens.js';
import { AgentConfigSchema } from '../src/config/agent-config.js';
import { type RealHost, startRealHost, until } from './support/real-host.js';

let h: RealHost;
let dataDir: string;
test.before(async () => {
  h = await startRealHost();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-agent-container-'));
});
test.after(async () => {
  await h?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

test('the container resolves the daemon by explicit tokens; it connects, reports nobody signed in, and says it runs', async () => {
  const config = AgentConfigSchema.parse({
    controller: { primary: `127.0.0.1:${h.port('tcp')}` },
    tenantToken: h.token,
    dataDir,
    computerName: 'CONTAINER-PC',
    capture: { use: 'ffmpeg', options: { input: 'lavfi', testMonitors: [{ width: 320, height: 240 }] } },
    upload: { minFreeDiskMb: 0 },
  });
  const lines: string[] = [];
  const c = createAgentContainer(config, {
    logger: silentLogger,
    console: (l) => lines.push(l),
    readLogin: async () => ({ login: null, presence: 'no-user', source: 'test' }),
  });
  assert.equal(c.resolve(AGENT_TOKENS.Config), config);
  const daemon = c.resolve(AgentDaemon);
  assert.notEqual(c.resolve(AgentDaemon), daemon, 'transient: each resolve builds its own agent');
  await daemon.start();
  try {
    const pending = await until('the workstation to show as pending', async () => {
      const list = await h.api('GET', '/api/workstations?state=pending');
      return list.body.items.find((w: { computerName: string }) => w.computerName === 'CONTAINER-PC');
    });
    assert.equal(pending.id, daemon.agent.workstationId);
    assert.deepEqual(lines, [
      `deskrec-agent ${daemon.agent.workstationId} running; controller ${config.controller.primary}`,
    ]);
    assert.equal(daemon.agent.status().presence, 'no-user');
  } finally {
    await daemon.stop();
  }
});

test.run();
