// Upload and download 256 MiB through the plugin and through bare basic-ftp against the same local
// ftp-srv (in its own process, so its memory is not counted). Prints MB/s, the plugin/bare ratio and the
// peak resident-memory growth. Run: npm run bench (from plugins/storage-ftp).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { digesting } from '@deskrec/core';
import { generatedBytes, peakRssGrowth } from '@deskrec/core/testing';
import { Client } from 'basic-ftp';
import { startFtpServer } from '../test/support/ftp-server.js';
import { createTarget } from '../test/support/targets.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_MIB ?? 256) * MiB;
const ROUNDS = 5;

/** A sink that counts bytes and drops them, like a client that streams the video onwards. */
function discard(): Writable & { bytes: number } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.bytes += chunk.length;
      callback();
    },
  }) as Writable & { bytes: number };
  sink.bytes = 0;
  return sink;
}

async function timed(work: () => Promise<unknown>): Promise<{ mbps: number; growth: number }> {
  const started = process.hrtime.bigint();
  const { growth } = await peakRssGrowth(work);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { mbps: SIZE / 1e6 / seconds, growth };
}

const root = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-ftp-bench-'));
const server = await startFtpServer({ root });
const source = generatedBytes(SIZE);
const target = createTarget({
  host: '127.0.0.1',
  port: server.port,
  user: server.user,
  password: server.password,
  secure: 'none',
  root: '/plugin',
});
const bare = new Client(30_000);
await bare.access({ host: '127.0.0.1', port: server.port, user: server.user, password: server.password });

const runs = {
  bareUp: [] as number[],
  hashedUp: [] as number[],
  pluginUp: [] as number[],
  bareDown: [] as number[],
  pluginDown: [] as number[],
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
let maxGrowth = 0;
let maxBareGrowth = 0;
try {
  for (let round = 0; round < ROUNDS; round++) {
    const bareUp = await timed(() => bare.uploadFrom(source.stream(), '/bare.bin'));
    // The same upload with the SHA-256 the plugin must compute: separates hashing from plugin overhead.
    const hashedUp = await timed(() => bare.uploadFrom(digesting(source.stream()), '/bare-hashed.bin'));
    const pluginUp = await timed(() => target.put('bench/object.bin', source.stream(), { size: SIZE }));
    const bareDown = await timed(() => bare.downloadTo(discard(), '/bare.bin'));
    const pluginDown = await timed(async () => {
      const { body } = await target.get('bench/object.bin');
      const sink = discard();
      await new Promise<void>((resolve, reject) => {
        body.pipe(sink).once('finish', resolve);
        body.once('error', reject);
      });
      if (sink.bytes !== SIZE) throw new Error(`read ${sink.bytes} of ${SIZE} bytes`);
    });
    runs.bareUp.push(bareUp.mbps);
    runs.hashedUp.push(hashedUp.mbps);
    runs.pluginUp.push(pluginUp.mbps);
    runs.bareDown.push(bareDown.mbps);
    runs.pluginDown.push(pluginDown.mbps);
    maxGrowth = Math.max(maxGrowth, pluginUp.growth, pluginDown.growth);
    maxBareGrowth = Math.max(maxBareGrowth, bareUp.growth, bareDown.growth);
    console.log(
      `round ${round + 1}: upload bare ${bareUp.mbps.toFixed(0)} MB/s, bare+sha256 ${hashedUp.mbps.toFixed(0)} MB/s, plugin ${pluginUp.mbps.toFixed(0)} MB/s` +
        ` (+${(pluginUp.growth / MiB).toFixed(1)} MiB RSS); download bare ${bareDown.mbps.toFixed(0)} MB/s,` +
        ` plugin ${pluginDown.mbps.toFixed(0)} MB/s (+${(pluginDown.growth / MiB).toFixed(1)} MiB RSS)`,
    );
  }
} finally {
  bare.close();
  await target.close();
  await server.stop();
  await fs.rm(root, { recursive: true, force: true });
}

const row = (what: string, plugin: number[], baseline: number[]) =>
  `| ${what} | ${median(plugin).toFixed(0)} (best ${Math.max(...plugin).toFixed(0)}) | ${median(baseline).toFixed(0)} (best ${Math.max(...baseline).toFixed(0)}) | ${(median(plugin) / median(baseline)).toFixed(2)} |`;
console.log(
  `\n${SIZE / MiB} MiB over plain FTP to ftp-srv on 127.0.0.1, median of ${ROUNDS} rounds (Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)})`,
);
console.log('| transfer | plugin MB/s | baseline MB/s | ratio of medians |');
console.log('|---|---|---|---|');
console.log(row('upload: put vs bare uploadFrom', runs.pluginUp, runs.bareUp));
console.log(row('upload: put vs uploadFrom + core digesting()', runs.pluginUp, runs.hashedUp));
console.log(row('download: get vs bare downloadTo', runs.pluginDown, runs.bareDown));
console.log(
  `peak RSS growth of the plugin: ${(maxGrowth / MiB).toFixed(1)} MiB (target < 64 MiB); of bare basic-ftp: ${(maxBareGrowth / MiB).toFixed(1)} MiB`,
);
