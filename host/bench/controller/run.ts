// Controller benchmark driver: for each N, runs the controller and a bare ws server over plain TCP and TLS,
// each phase in a fresh process, and prints a Markdown table with controller/bare ratios.
// Usage: npm run bench:controller -- [--n 1000,10000] [--samples 5000] [--transports plain,tls]
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const sizes = arg('n', '1000,10000').split(',').map(Number);
const samples = arg('samples', '5000');
const transports = arg('transports', 'plain,tls').split(',');

interface Result {
  server: string;
  transport: string;
  n: number;
  connectPerSecond: number;
  bytesPerConnection: number;
  heapBytesPerConnection: number;
  rttP50Ms: number;
  rttP99Ms: number;
}

function phase(server: string, transport: string, n: number): Result {
  const run = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'phase.ts'),
      '--server',
      server,
      '--transport',
      transport,
      '--n',
      String(n),
      '--samples',
      samples,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{'))
    throw new Error(`${server}/${transport}/${n} failed: ${run.stdout}`);
  return JSON.parse(line) as Result;
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (value: number) => value.toFixed(2);
console.log(
  '| N | transport | server | connects/s | RSS KB per connection | of it JS heap KB | RTT p50 ms | RTT p99 ms |',
);
console.log('|---|---|---|---|---|---|---|---|');
const ratios: string[] = [];
for (const n of sizes) {
  for (const transport of transports) {
    const bare = phase('bare', transport, n);
    const controller = phase('controller', transport, n);
    for (const r of [bare, controller]) {
      console.log(
        `| ${n} | ${transport} | ${r.server} | ${r.connectPerSecond} | ${kb(r.bytesPerConnection)} | ${kb(r.heapBytesPerConnection)} | ${ms(r.rttP50Ms)} | ${ms(r.rttP99Ms)} |`,
      );
    }
    ratios.push(
      `N=${n} ${transport}: memory ×${(controller.bytesPerConnection / bare.bytesPerConnection).toFixed(2)}, ` +
        `p50 ×${(controller.rttP50Ms / bare.rttP50Ms).toFixed(2)}, p99 ×${(controller.rttP99Ms / bare.rttP99Ms).toFixed(2)}, ` +
        `connect rate ×${(controller.connectPerSecond / bare.connectPerSecond).toFixed(2)} (controller / bare ws)`,
    );
  }
}
console.log('');
for (const line of ratios) console.log(`- ${line}`);
