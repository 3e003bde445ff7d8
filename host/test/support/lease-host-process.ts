/**
 * A host in its own process on PostgreSQL with one Asterisk source and one webhook source, for the cluster
 * source-lock tests: `node --import tsx lease-host-process.ts <dataDir> <schema> <webPort> <amiPort> <name>`.
 * Prints `{"ready":true,...}`, then a `{"source":"pbx","runsHere":...}` line whenever the Asterisk source's
 * place changes (the test reads it instead of asking the API in a loop).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHost } from '../../src/app/create-host.js';
import { loadConfig } from '../../src/config/load-config.js';
import { PG_URL } from '../db-harness.js';
import { WEBHOOK_SECRET } from './e2e-host.js';

export const AMI_SECRET = 'lease-ami-secret';

async function main(): Promise<void> {
  const [dataDir, schema, webPort, amiPort, name] = process.argv.slice(2) as [
    string,
    string,
    string,
    string,
    string,
  ];
  await fs.mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'deskrec.yaml');
  await fs.writeFile(
    file,
    [
      `dataDir: ${dataDir}`,
      `web: { host: 127.0.0.1, port: ${webPort} }`,
      'controller: { host: 127.0.0.1, ephemeralPorts: true }',
      `cluster: { hostName: ${name}, sourceRetrySeconds: 1 }`,
      'log: { level: 3 }',
      'plugins:',
      '  callEvents:',
      `    - { use: asterisk, id: pbx, options: { host: 127.0.0.1, port: ${amiPort}, username: deskrec, secret: ${AMI_SECRET}, reconnectMinSeconds: 1, reconnectMaxSeconds: 1 } }`,
      `    - { use: webhook, id: crm, options: { secret: ${WEBHOOK_SECRET} } }`,
    ].join('\n'),
  );
  const host = createHost(loadConfig({ file, env: { DATABASE_URL: PG_URL } }), {
    stdout: { write: (line: string) => void fs.appendFile(path.join(dataDir, 'host.log'), line) },
    databaseSchema: schema,
  });
  const started = await host.start();
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: started.url, firstStart: started.firstStart ?? null })}\n`,
  );
  let last = '';
  setInterval(() => {
    const pbx = host
      .runtime()
      .intake.health()
      .find((s) => s.id === 'pbx');
    const line = JSON.stringify({ source: 'pbx', runsHere: pbx?.runsHere, heldBy: pbx?.heldBy?.name });
    if (line !== last) process.stdout.write(`${line}\n`);
    last = line;
  }, 50);
  process.on('SIGTERM', () => {
    void host.stop().then(() => process.exit(0));
  });
}

// Only as a script: a test run that matches this file by name imports it and must not start a host.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
