/**
 * Upload benchmark: throughput into the host spool through the real tus endpoint vs a bare node:http
 * server writing the body to disk (same run, same client, both servers in their own processes), and the
 * host's RSS growth during a large upload. `npm run bench:upload -- --mib 1024 --rounds 3`
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  encodeMetadata,
  segmentMetadata,
  sha256File,
  startHostProcess,
} from '../../test/support/uploads-fixtures.js';
import { bodyOf, cpuMs, samplePeakRss, send } from './client.js';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '3' },
    /** Writes a CPU profile of the host process into this folder. */
    profile: { type: 'string' },
    /** Extra node flags for the host process, space-separated (e.g. GC tuning experiments). */
    'host-args': { type: 'string', default: '' },
  },
});
const bytes = Number(values.mib) * 1024 * 1024;
const rounds = Number(values.rounds);
const MiB = 1024 * 1024;
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-bench-upload-'));
const chunk = randomBytes(MiB);
const body = bodyOf(chunk, bytes);

const token = randomBytes(32).toString('base64url');
const hostDir = path.join(work, 'host');
const host = await startHostProcess({
  dataDir: hostDir,
  name: 'bench',
  token,
  nodeArgs: [
    ...values['host-args'].split(' ').filter(Boolean),
    ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values.profile)}`] : []),
  ],
});

const idleRss = await host.rss();
console.log(
  `host idle: RSS ${(idleRss / MiB).toFixed(0)} MiB, JS heap ${(host.heap().heapUsed / MiB).toFixed(0)} MiB, ` +
    `external ${(host.heap().external / MiB).toFixed(0)} MiB`,
);
const bareDir = path.join(work, 'bare');
const bare = spawn(
  process.execPath,
  ['--import', 'tsx', '--expose-gc', fileURLToPath(new URL('./bare-server.ts', import.meta.url)), bareDir],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const bareUrl = await new Promise<string>((resolve) => {
  bare.stdout!.on('data', (d) => {
    const m = /"url":"([^"]+)"/.exec(String(d));
    if (m) resolve(m[1]!);
  });
});

async function storedAndCleared(): Promise<void> {
  const root = path.join(hostDir, 'recordings');
  // Counted across polls: the store job may copy the file before it leaves ready/ within one poll.
  let stored = 0;
  for (;;) {
    const ready = await fs.readdir(path.join(hostDir, 'spool', 'ready')).catch(() => []);
    const days = await fs.readdir(root).catch(() => []);
    for (const day of days) {
      for (const f of await fs.readdir(path.join(root, day))) {
        if (f.startsWith('.')) continue;
        stored++;
        await fs.rm(path.join(root, day, f));
      }
    }
    if (ready.length === 0 && stored > 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function tusUpload(index: number) {
  const auth = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
  const started = performance.now();
  const created = await fetch(`${host.url}/api/uploads`, {
    method: 'POST',
    headers: {
      ...auth,
      'upload-length': String(bytes),
      'upload-metadata': encodeMetadata(segmentMetadata(host.recordingId, index, body)),
    },
  });
  await created.arrayBuffer();
  if (created.status !== 201) throw new Error(`tus create: ${created.status}`);
  const location = new URL(created.headers.get('location')!, `${host.url}/api/uploads/`).toString();
  const patched = await send(
    location,
    'PATCH',
    { ...auth, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    chunk,
    bytes,
  );
  if (patched.status !== 204) throw new Error(`tus PATCH: ${patched.status}`);
  return { ms: performance.now() - started, finishMs: patched.ms - patched.bodyMs };
}

const mbps = (ms: number) => bytes / MiB / (ms / 1000);
const results: {
  bare: number;
  tus: number;
  tusFinishMs: number;
  bareFinishMs: number;
  rssGrowth: number;
  rssAfter: number;
  bareCpu: number;
  hostCpu: number;
}[] = [];
for (let round = 0; round < rounds; round++) {
  const bareCpuBefore = await cpuMs(bare.pid!);
  const bareSent = await send(`${bareUrl}/upload`, 'PUT', {}, chunk, bytes);
  const bareCpu = (await cpuMs(bare.pid!)) - bareCpuBefore;
  await fs.rm(bareDir, { recursive: true, force: true });
  await fs.mkdir(bareDir);

  const rssBefore = await host.rss();
  const peak = samplePeakRss(host.pid);
  const hostCpuBefore = await cpuMs(host.pid);
  const tus = await tusUpload(round);
  const hostCpu = (await cpuMs(host.pid)) - hostCpuBefore;
  const tusMs = tus.ms;
  const rssPeak = await peak();
  await storedAndCleared();
  const rssAfter = await host.rss();
  results.push({
    bare: mbps(bareSent.ms),
    tus: mbps(tusMs),
    tusFinishMs: tus.finishMs,
    bareFinishMs: bareSent.ms - bareSent.bodyMs,
    rssGrowth: rssPeak - rssBefore,
    rssAfter: rssAfter - rssBefore,
    bareCpu,
    hostCpu,
  });
  console.log(
    `round ${round + 1}: bare ${mbps(bareSent.ms).toFixed(0)} MiB/s (after last byte ${Math.round(bareSent.ms - bareSent.bodyMs)} ms), ` +
      `tus ${mbps(tusMs).toFixed(0)} MiB/s (after last byte ${Math.round(tus.finishMs)} ms), ` +
      `host RSS peak +${((rssPeak - rssBefore) / MiB).toFixed(1)} MiB, after GC ${((rssAfter - rssBefore) / MiB).toFixed(1)} MiB; ` +
      `CPU bare ${bareCpu} ms, host ${hostCpu} ms`,
  );
}

// Where the host's time goes besides receiving: the SHA-256 re-read of the finished file.
const probe = path.join(work, 'probe');
await fs.writeFile(probe, '');
const handle = await fs.open(probe, 'w');
for (let left = bytes; left > 0; left -= MiB) await handle.write(chunk, 0, Math.min(MiB, left));
await handle.close();
const hashStarted = performance.now();
await sha256File(probe);
const hashMs = performance.now() - hashStarted;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const bareMed = median(results.map((r) => r.bare));
const tusMed = median(results.map((r) => r.tus));
const growth = Math.max(...results.map((r) => r.rssGrowth));
console.log(
  JSON.stringify(
    {
      mib: bytes / MiB,
      rounds,
      bareMiBps: Math.round(bareMed),
      tusMiBps: Math.round(tusMed),
      ratio: Number((tusMed / bareMed).toFixed(2)),
      hostRssPeakGrowthMiB: Number((growth / MiB).toFixed(1)),
      tusAfterLastByteMs: Math.round(median(results.map((r) => r.tusFinishMs))),
      bareAfterLastByteMs: Math.round(median(results.map((r) => r.bareFinishMs))),
      bareCpuMs: median(results.map((r) => r.bareCpu)),
      hostCpuMs: median(results.map((r) => r.hostCpu)),
      sha256RereadMs: Math.round(hashMs),
    },
    null,
    2,
  ),
);
console.log(
  `targets: ratio ≥ 0.8 ${tusMed / bareMed >= 0.8 ? 'met' : 'MISSED'}; RSS growth ≤ 64 MiB ${growth <= 64 * MiB ? 'met' : 'MISSED'}`,
);

await host.kill('SIGTERM');
if (values.profile) console.log(`host CPU profile in ${path.resolve(values.profile)}`);
bare.kill('SIGTERM');
await fs.rm(work, { recursive: true, force: true });
