/**
 * Upload and download 256 MiB through the plugin and, in the same run, with bare ssh2-sftp-client
 * fastPut/fastGet against the same local ssh2 test server; prints MB/s, the ratio and peak RSS growth.
 * Usage: npm run bench [-- --mib 256 --parallel 64 --rounds 5 --sshd | --in-process]
 * The test server runs in a child process; `--in-process` runs it on the benchmark's own thread instead,
 * `--sshd` uses Debian's OpenSSH sshd (needs openssh-server, root).
 */
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generatedBytes, peakRssGrowth } from '@deskrec/core/testing';
import SftpClient from 'ssh2-sftp-client';
import { startSftpServer } from '../test/support/sftp-server.js';
import { ed25519KeyPair } from '../test/support/ssh-keys.js';
import { startSshd } from '../test/support/sshd.js';
import { createTarget } from '../test/support/targets.js';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '256' },
    parallel: { type: 'string' },
    rounds: { type: 'string', default: '5' },
    sshd: { type: 'boolean', default: false },
    'in-process': { type: 'boolean', default: false },
  },
});
const MiB = 1024 * 1024;
const size = Number(values.mib) * MiB;
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-sftp-bench-'));
const served = path.join(work, 'served');
await fs.mkdir(served);
const USER = values.sshd ? 'deskrec-sftp' : 'bench';
const PASSWORD = 'bench-Pw-4711';
const server = values.sshd
  ? await sshdPeer()
  : values['in-process']
    ? await inProcessPeer()
    : await forkedPeer();

function sshdPeer() {
  return startSshd({ username: USER, password: PASSWORD, authorizedKey: ed25519KeyPair().public });
}
async function inProcessPeer() {
  const peer = await startSftpServer({ base: served, username: USER, password: PASSWORD });
  return { port: peer.port, fingerprint: peer.fingerprint, stop: () => peer.close(), home: '' };
}
async function forkedPeer() {
  const child = fork(
    fileURLToPath(new URL('./test-server-process.ts', import.meta.url)),
    [served, USER, PASSWORD],
    {
      execArgv: ['--import', 'tsx'],
    },
  );
  const [address] = (await once(child, 'message')) as [{ port: number; fingerprint: string }];
  const stop = async () => {
    const exited = once(child, 'exit');
    child.disconnect();
    await exited;
  };
  return { ...address, stop, home: '' };
}
// sshd serves the user's real home folder; the ssh2 test server serves `served` as `/`.
const remote = values.sshd ? path.join(server.home, 'bench') : '';
const source = path.join(work, 'source.bin');
await pipeline(generatedBytes(size).stream(), createWriteStream(source));

interface Row {
  what: string;
  seconds: number;
  growth: number;
}
/*
 * Before each timed transfer: flush dirty pages (the previous transfer's writeback must not land in this
 * one's time) and collect garbage, both outside the timed part.
 */
async function measure(what: string, job: () => Promise<unknown>): Promise<Row> {
  execFileSync('sync');
  let seconds = 0;
  const { growth } = await peakRssGrowth(async () => {
    const started = process.hrtime.bigint();
    await job();
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
  });
  return { what, seconds, growth };
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
// Every upload goes to a new name, as recordings do (replacing a 256 MiB file costs the server a truncate
// or an unlink inside the timed part), and the previous round's objects are removed between rounds.
// Round 0 warms up (JIT, connections, first folders) and is not counted.
const rows: Record<string, Row[]> = {};
const rounds = Number(values.rounds);
const record = (round: number, row: Row) => {
  console.log(`round ${round} ${row.what.padEnd(14)} ${rate(row).toFixed(1).padStart(7)} MB/s`);
  if (round === 0) return;
  rows[row.what] ??= [];
  rows[row.what]!.push(row);
};
for (let round = 0; round <= rounds; round++) {
  const name = `object-${round}.bin`;
  record(round, await measure('bare fastPut', () => bare.fastPut(source, `${remote}/bare/${name}`)));
  // Read in 1 MiB chunks, as the host's store job does.
  const body = () => createReadStream(source, { highWaterMark: MiB });
  record(round, await measure('plugin put', () => target.put(name, body())));
  record(
    round,
    await measure('bare fastGet', () => bare.fastGet(`${remote}/bare/${name}`, path.join(work, 'bare.bin'))),
  );
  record(
    round,
    await measure('plugin get', async () =>
      pipeline(
        (await target.get(name)).body,
        createWriteStream(path.join(work, 'plugin.bin'), { highWaterMark: 4 * MiB }),
      ),
    ),
  );
  await bare.delete(`${remote}/bare/${name}`);
  await target.delete(name);
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
  `storage-sftp throughput, ${values.mib} MiB, median of ${values.rounds} rounds after a warm-up round (peak RSS growth: max), ${values.sshd ? 'OpenSSH sshd' : 'local ssh2 test server'}, Node ${process.version}`,
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
