import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { type Demo, startDemo } from '../src/demo/index.js';

let demo: Demo | undefined;
let dataDir: string;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

test.before(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-demo-ports-'));
});
test.after(async () => {
  await demo?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

test('npm run demo honours DESKREC_WEB_PORT and the controller port variables', async () => {
  const [web, tcp] = [await freePort(), await freePort()];
  demo = await startDemo({
    dataDir,
    capture: 'lavfi',
    stdout: { write() {} },
    env: {
      DESKREC_WEB_PORT: String(web),
      DESKREC_CONTROLLER_TCP_PORT: String(tcp),
      DESKREC_CONTROLLER_TLS_PORT: '0',
      DESKREC_DATA_DIR: '/must/not/be/used',
    },
  });
  assert.equal(new URL(demo.url).port, String(web));
  const listening = demo.host.runtime().controller.status().listening;
  assert.equal(listening.tcp?.port, tcp);
  assert.ok(!listening.tls, 'TLS port 0 disables it');
  assert.equal((await fetch(`${demo.url}/api/health`)).status, 200);
});

test.run();
