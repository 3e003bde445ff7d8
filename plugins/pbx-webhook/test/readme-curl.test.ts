import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import { silentLogger, systemClock } from '@deskrec/core';
import { serve } from '@hono/node-server';
import { suite } from 'uvu';
import { WebhookOptionsSchema, WebhookSource } from '../src/index.js';
import { RecordingSink, SECRET } from './helpers.js';

/**
 * Runs the README's curl example, as written there, with Debian's curl and openssl against a real server
 * (only with DESKREC_TEST_SYSTEM=1, since it needs those binaries).
 */
const readme = suite('pbx-webhook: the README curl example');
const system = process.env.DESKREC_TEST_SYSTEM === '1';

async function curlExample(): Promise<string> {
  const text = await fs.readFile(new URL('../README.md', import.meta.url), 'utf8');
  const block = /### curl\s+```sh\n([\s\S]*?)```/.exec(text)?.[1];
  assert.ok(block, 'README has a curl example');
  return block;
}

(system ? readme : readme.skip)('signs and posts an event that is accepted', async () => {
  const source = new WebhookSource(WebhookOptionsSchema.parse({ secret: SECRET }), {
    clock: systemClock,
    logger: silentLogger,
  });
  const sink = new RecordingSink();
  await source.start(sink);
  const { server, port } = await new Promise<{ server: http.Server; port: number }>((resolve) => {
    const s = serve({ fetch: (req) => source.handleHttp(req), port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ server: s as http.Server, port: info.port }),
    );
  });
  try {
    const script = (await curlExample())
      .replace("SECRET='…the configured secret…'", `SECRET='${SECRET}'`)
      .replace('https://deskrec.example.com/hooks/cloud-pbx', `http://127.0.0.1:${port}/hooks/cloud-pbx`);
    const output = await new Promise<string>((resolve, reject) =>
      execFile('bash', ['-euo', 'pipefail', '-c', script], (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    assert.deepEqual(JSON.parse(output), { accepted: 1, duplicates: 0 });
    assert.equal(sink.events[0]?.callId, '2f9c1e');
  } finally {
    await source.stop();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
});

readme.run();
