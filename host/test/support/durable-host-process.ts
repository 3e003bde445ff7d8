/**
 * A host in its own process on PostgreSQL, for the durable-decision tests: `node --import tsx
 * durable-host-process.ts <dataDir> <schema> <webPort> <controllerTcpPort> <controllerTlsPort>`. Fixed
 * ports, so an agent reconnects and uploads to the host started again after a SIGKILL. Prints `{"ready":true,...}`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHost } from '../../src/app/create-host.js';
import { loadConfig } from '../../src/config/load-config.js';
import { PG_URL } from '../db-harness.js';
import { WEBHOOK_SECRET } from './e2e-host.js';

async function main(): Promise<void> {
  const [dataDir, schema, webPort, tcpPort, tlsPort] = process.argv.slice(2) as string[] as [
    string,
    string,
    string,
    string,
    string,
  ];
  const file = path.join(dataDir, 'deskrec.yaml');
  await fs.writeFile(
    file,
    [
      `dataDir: ${dataDir}`,
      `web: { host: 127.0.0.1, port: ${webPort} }`,
      `controller: { host: 127.0.0.1, tcpPort: ${tcpPort}, tlsPort: ${tlsPort} }`,
      'jobs: { pollMs: 200 }',
      'log: { level: 3 }',
      `plugins: { callEvents: [{ use: webhook, id: crm, options: { secret: ${WEBHOOK_SECRET} } }] }`,
    ].join('\n'),
  );
  const host = createHost(loadConfig({ file, env: { DATABASE_URL: PG_URL } }), {
    // Kept in the data folder: a failing test shows what the host did before and after its kill.
    stdout: { write: (line: string) => void fs.appendFile(path.join(dataDir, 'host.log'), line) },
    databaseSchema: schema,
  });
  const started = await host.start();
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: started.url, firstStart: started.firstStart ?? null })}\n`,
  );
  process.on('SIGTERM', () => {
    void host.stop().then(() => process.exit(0));
  });
}

// Only as a script: a test run that matches this file by name imports it and must not start a host.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
