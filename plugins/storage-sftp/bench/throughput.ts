/**
 * Upload and download 256 MiB through the plugin and, in the same run, with bare ssh2-sftp-client
 * fastPut/fastGet against the same local ssh2 test server; prints MB/s, the ratio and peak RSS growth.
 * Usage: npm run bench [-- --mib 256 --parallel 64 --rounds 3 --sshd]
 * `--sshd` runs against Debian's OpenSSH sshd in a separate process instead (needs openssh-server, root).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { generatedBytes, peakRssGrowth } from '@deskrec/core/testing';
import SftpClient from 'ssh2-sftp-client';
import { startSftpServer } from '../test/support/sftp-server.js';
import { ed25519KeyPair } from '../test/support/ssh-keys.js';
import { startSshd, type TestSshd } from '../test/support/sshd.js';
import { createTarget } from '../test/support/targets.js';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '256' },
    parallel: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    sshd: { type: 'boolean', default: false },
  },
});
const MiB = 1024 * 1024;
const size = Number(values.mib) * MiB;
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-sftp-bench-'));
const served = path.join(work, 'served');
await fs.mkdir(served);
const USER = values.sshd ? 'deskrec-sftp' : 'bench';
const PASSWORD = 'bench-Pw-4711';
const peer = values.sshd
  ? await startSshd({
      username: USER,
      password: PASSWORD,
      authorizedKey: ed25519KeyPair().public,
    })
  : await startSftpServer({ base: served, username: USER, password: PASSWORD });
const server = {
  port: peer.port,
  fingerprint: peer.fingerprint,
  stop: () => ('stop' in peer ? peer.stop() : peer.close()),
};
// sshd serves the user's real home folder; the ssh2 test server serves `served` as `/`.
const remote = values.sshd ? path.join((peer as TestSshd).home, 'bench') : '';
const source = path.join(work, 'source.bin');
await pipeline(generatedBytes(size).stream(), createWriteStream(source));

interface Row {
  what: string;
  seconds: number;
  growth: number;
}
async function measure(what: string, job: () => Promise<unknown>): Promise<Row> {
  const started = process.hrtime.bigint();
  const { growth } = await peakRssGrowth(job);
  return { what, seconds: Number(process.hrtime.bigint() - started) / 1e9, growth };
}
const rate = (row: Row) => size / 1e6 / row.seconds;

const bare = new SftpClient('bench', {
  error: () => undefined,
  end: () => undefined,
  close: () => undefined,
});
await bare.connect({ host: '127.0.0.1', port: server.port, username: USER, password: PASSWORD });
await bare.mkdir(`${remote}/bare`, true);
const target = await createTarget({
  host: '127.0.0.1',
  port: server.port,
  username: USER,
  password: PASSWORD,
  hostKeyFingerprint: server.fingerprint,
  root: `${remote}/plugin`,
  ...(values.parallel ? { parallelRequests: Number(values.parallel) } : {}),
});

// Rounds alternate bare and plugin so background load hits both alike; the median round is reported.
const rows: Record<string, Row[]> = {};
const record = (row: Row) => {
  rows[row.what] ??= [];
  rows[row.what]!.push(row);
};
for (let round = 0; round < Number(values.rounds); round++) {
  record(await measure('bare fastPut', () => bare.fastPut(source, `${remote}/bare/object.bin`)));
  // Read in 1 MiB chunks, as the host's store job does.
  const body = () => createReadStream(source, { highWaterMark: MiB });
  record(await measure('plugin put', () => target.put('object.bin', body())));
  record(
    await measure('bare fastGet', () =>
      bare.fastGet(`${remote}/bare/object.bin`, path.join(work, 'bare.bin')),
    ),
  );
  record(
    await measure('plugin get', async () =>
      pipeline(
        (await target.get('object.bin')).body,
        createWriteStream(path.join(work, 'plugin.bin'), { highWaterMark: 4 * MiB }),
      ),
    ),
  );
}
await bare.end();
await target.close();
await server.stop();
if (values.sshd) await fs.rm(remote, { recursive: true, force: true });
await fs.rm(work, { recursive: true, force: true });

const median = (what: string): Row => {
  const sorted = [...rows[what]!].sort((a, b) => a.seconds - b.seconds);
  const middle = sorted[Math.floor(sorted.length / 2)]!;
  return { ...middle, growth: Math.max(...sorted.map((r) => r.growth)) };
};
const [barePut, pluginPut, bareGet, pluginGet] = [
  'bare fastPut',
  'plugin put',
  'bare fastGet',
  'plugin get',
].map(median) as [Row, Row, Row, Row];

console.log(
  `storage-sftp throughput, ${values.mib} MiB, median of ${values.rounds} rounds (peak RSS growth: max), ${values.sshd ? 'OpenSSH sshd' : 'local ssh2 test server'}, Node ${process.version}`,
);
for (const [plugin, baseline] of [
  [pluginPut, barePut],
  [pluginGet, bareGet],
] as const) {
  for (const row of [baseline, plugin]) {
    console.log(
      `${row.what.padEnd(14)} ${rate(row).toFixed(1).padStart(7)} MB/s  peak RSS growth ${(row.growth / MiB).toFixed(1)} MiB`,
    );
  }
  console.log(
    `${'ratio'.padEnd(14)} ${(rate(plugin) / rate(baseline)).toFixed(2).padStart(7)} (plugin / bare)`,
  );
}
