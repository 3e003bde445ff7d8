/**
 * A host in its own process for the upload tests and benchmark: `node --import tsx uploads-host-process.ts
 * <dataDir> <name> <token>`. Prints `{"ready":true,...}` once listening; answers `rss` on stdin with its
 * resident memory after a GC.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHost } from '../../src/app/create-host.js';
import { loadConfig } from '../../src/config/load-config.js';
import { seedUploadGrant } from './uploads-fixtures.js';

async function main(): Promise<void> {
  const [dataDir, name, token] = process.argv.slice(2) as [string, string, string];
  const file = path.join(dataDir, 'deskrec.yaml');
  await fs.writeFile(
    file,
    [
      `dataDir: ${dataDir}`,
      'web: { host: 127.0.0.1, port: 0 }',
      'controller: { host: 127.0.0.1, ephemeralPorts: true, tlsPort: 0 }',
      'log: { level: 2 }',
    ].join('\n'),
  );
  const host = createHost(loadConfig({ file, env: {} }), { stdout: { write() {} } });
  const started = await host.start();
  const services = host.services();
  const tenant = await services.repos.tenants.bySlug('default');
  const grant = await seedUploadGrant(services.database.db, tenant!.id, { name, token });
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: started.url, recordingId: grant.recordingId, tenantId: tenant!.id })}\n`,
  );
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (line: string) => {
    if (!line.includes('rss')) return;
    for (let i = 0; i < 3; i++) (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, external } = process.memoryUsage();
    process.stdout.write(`${JSON.stringify({ rss, heapUsed, external })}\n`);
  });
  process.on('SIGTERM', () => {
    void host.stop().then(() => process.exit(0));
  });
}

// Only as a script: a test run that matches this file by name imports it and must not start a host.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
