// Uploads and downloads 256 MiB through the plugin and, in the same run against the same s3rver, with bare
// lib-storage `Upload` + `GetObject`; prints MB/s, the plugin/bare ratio and peak RSS growth.
// Each measurement runs in a fresh worker process (warmed up, then collected), so one side's heap and
// allocator growth never shows up in, or hides, the other's. Sides alternate, the median round counts.
// Run: npm run bench. Environment: BENCH_MIB (object size), BENCH_ROUNDS, BENCH_PART_MIB, BENCH_QUEUE.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { generatedBytes, peakRssGrowth } from '@deskrec/core/testing';
import { createS3Client } from '../src/client.js';
import { S3StorageOptionsSchema } from '../src/index.js';
import { S3StorageTarget } from '../src/s3-storage-target.js';
import { LocalS3 } from '../test/s3rver-server.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_MIB ?? 256) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BUCKET = 'bench';
type Side = 'plugin' | 'bare';

interface Sample {
  seconds: number;
  /** CPU seconds (user + system) the worker spent: the client's cost, s3rver excluded. */
  cpu: number;
  rssGrowth: number;
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.length;
  return bytes;
}

async function measure(work: () => Promise<unknown>): Promise<Sample> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const { growth } = await peakRssGrowth(work);
  const used = process.cpuUsage(cpu);
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpu: (used.user + used.system) / 1e6,
    rssGrowth: growth,
  };
}

function optionsFor(endpoint: string) {
  return S3StorageOptionsSchema.parse({
    bucket: BUCKET,
    endpoint,
    forcePathStyle: true,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    checksum: false,
    conditionalCreate: false,
    ...(process.env.BENCH_PART_MIB ? { partSize: Number(process.env.BENCH_PART_MIB) * MiB } : {}),
    ...(process.env.BENCH_QUEUE ? { queueSize: Number(process.env.BENCH_QUEUE) } : {}),
  });
}

/** One upload and one download of SIZE bytes by one side; the same client options for both sides. */
async function worker(side: Side, endpoint: string): Promise<void> {
  const options = optionsFor(endpoint);
  const source = generatedBytes(SIZE);
  const key = `${side}.bin`;
  let upload: (body: () => Readable, bytes: number, sha256?: string) => Promise<unknown>;
  let download: () => Promise<number>;
  if (side === 'plugin') {
    const target = new S3StorageTarget(options);
    upload = (body, bytes, sha256) => target.put(key, body(), { size: bytes, ...(sha256 ? { sha256 } : {}) });
    download = async () => drain((await target.get(key)).body);
  } else {
    const client = createS3Client(options);
    upload = (body) =>
      new Upload({
        client,
        partSize: options.partSize,
        queueSize: options.queueSize,
        leavePartsOnError: false,
        params: { Bucket: BUCKET, Key: key, Body: body() },
      }).done();
    download = async () =>
      drain(
        (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })))
          .Body as AsyncIterable<Uint8Array>,
      );
  }
  // Warm-up: load every code path (single put, multipart, get) before measuring.
  const small = generatedBytes(12 * MiB);
  await upload(() => small.stream(), 12 * MiB, small.sha256);
  await download();
  const up = await measure(() => upload(() => source.stream(), SIZE, source.sha256));
  const down = await measure(async () => {
    if ((await download()) !== SIZE) throw new Error('short read');
  });
  process.stdout.write(`${JSON.stringify({ up, down })}\n`);
  process.exit(0);
}

function runWorker(side: Side, endpoint: string): Promise<{ up: Sample; down: Sample }> {
  const script = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', script, '--worker', side, endpoint],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!))
        : reject(new Error(`${side} worker exited ${code}`)),
    );
  });
}

async function main(): Promise<void> {
  const s3 = await LocalS3.start();
  await s3.createBucket(BUCKET);
  const options = optionsFor(s3.endpoint);
  const runs: Record<string, Sample[]> = {
    'upload   plugin': [],
    'upload   bare  ': [],
    'download plugin': [],
    'download bare  ': [],
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of (round % 2 ? ['plugin', 'bare'] : ['bare', 'plugin']) as Side[]) {
      const { up, down } = await runWorker(side, s3.endpoint);
      runs[`upload   ${side.padEnd(6)}`]!.push(up);
      runs[`download ${side.padEnd(6)}`]!.push(down);
    }
  }
  await s3.stop();

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const mbps = (samples: Sample[]) => SIZE / 1e6 / median(samples.map((s) => s.seconds));
  const rss = (samples: Sample[]) => samples.map((s) => s.rssGrowth / MiB);
  console.log(
    `storage-s3 vs bare lib-storage: ${SIZE / MiB} MiB against s3rver (child process), partSize ${options.partSize / MiB} MiB, queueSize ${options.queueSize}, ${ROUNDS} rounds`,
  );
  console.log('operation         MB/s (median)   client CPU s (median)   peak RSS growth MiB (median / max)');
  for (const [name, samples] of Object.entries(runs)) {
    console.log(
      `${name}   ${mbps(samples).toFixed(1).padStart(8)}        ${median(samples.map((x) => x.cpu))
        .toFixed(2)
        .padStart(
          8,
        )}                ${median(rss(samples)).toFixed(1).padStart(6)} / ${Math.max(...rss(samples)).toFixed(1)}`,
    );
  }
  for (const op of ['upload  ', 'download']) {
    const ratio = mbps(runs[`${op} plugin`]!) / mbps(runs[`${op} bare  `]!);
    console.log(`${op.trim()} ratio plugin/bare: ${ratio.toFixed(2)} (target >= 0.9)`);
  }
}

const [flag, side, endpoint] = process.argv.slice(2);
await (flag === '--worker' ? worker(side as Side, endpoint!) : main());
