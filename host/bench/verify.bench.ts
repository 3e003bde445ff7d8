/**
 * Verify benchmark: `deskrec-host verify`'s work (verifyTenant over a local storage target: every manifest
 * and segment checked, each file streamed back through SHA-256) against a bare createReadStream + SHA-256 of
 * the same files, in the same run, with the same concurrency. Files are read once beforehand so both read
 * from the page cache: the figures compare the CPU cost of verification, not the disk.
 * `npm run bench:verify -- --files 20 --mib 50 --runs 3 --concurrency 4`
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger, systemClock } from '@deskrec/core';
import { LocalStorageTarget } from '@deskrec/storage-local';
import { openDatabase } from '../src/db/open-database.js';
import { createRepositories } from '../src/db/repositories.js';
import { SealRecordingJob } from '../src/integrity/seal-recording.js';
import { verifyTenant } from '../src/integrity/verify-tenant.js';
import { JobSignal } from '../src/jobs/job-signal.js';
import type { TargetResolver } from '../src/storage/target-resolver.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '20' },
    mib: { type: 'string', default: '50' },
    runs: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '4' },
  },
});
const files = Number(values.files);
const fileBytes = Number(values.mib) * 1024 * 1024;
const runs = Number(values.runs);
const concurrency = Number(values.concurrency);
const GB = 1e9;

const work = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-bench-verify-'));
const handle = await openDatabase({ embeddedDir: 'memory://', logger: silentLogger });
try {
  const repos = createRepositories(handle.db, systemClock);
  const { tenant } = await repos.tenants.create({ slug: 'bench', name: 'Bench' });
  const target = new LocalStorageTarget({ root: path.join(work, 'store'), fsync: true });
  const resolved = { id: 'default-local', target };
  const targets = {
    byId: async () => resolved,
    forTenant: async () => resolved,
  } as unknown as TargetResolver;
  const sealer = new SealRecordingJob(
    repos.manifests,
    repos.segments,
    repos.signingKeys,
    repos.jobs,
    new JobSignal(),
    targets,
    systemClock,
    silentLogger,
  );
  const now = new Date();
  await handle.db
    .insertInto('workstations')
    .values({
      tenant_id: tenant.id,
      id: 'ws',
      secret_hash: 'x',
      state: 'authorized',
      computer_name: 'PC',
      monitors: '[]',
      first_seen: now,
      last_seen: now,
    })
    .execute();
  const paths: string[] = [];
  const chunk = randomBytes(1024 * 1024);
  for (let i = 0; i < files; i++) {
    const recordingId = randomUUID();
    const key = `bench/${recordingId}.mp4`;
    const file = path.join(work, 'store', key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const hash = createHash('sha256');
    const out = await fs.open(file, 'w');
    for (let written = 0; written < fileBytes; written += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, fileBytes - written));
      part[0] = i; // each file differs
      hash.update(part);
      await out.write(part);
    }
    await out.close();
    paths.push(file);
    await handle.db
      .insertInto('recordings')
      .values({
        id: recordingId,
        tenant_id: tenant.id,
        workstation_id: 'ws',
        capture_id: `cap-${i}`,
        state: 'stored',
        started_at: now,
        ended_at: now,
        upload_token_hash: null,
      })
      .execute();
    await handle.db
      .insertInto('segments')
      .values({
        id: randomUUID(),
        tenant_id: tenant.id,
        recording_id: recordingId,
        monitor_id: '0',
        idx: 0,
        started_at: now,
        duration_ms: 60_000,
        bytes: fileBytes,
        sha256: hash.digest('hex'),
        state: 'stored',
        spool_path: null,
        storage_target_id: 'default-local',
        storage_key: key,
        stored_at: now,
        error: null,
      })
      .execute();
    await sealer.seal(tenant.id, recordingId);
  }

  const bare = async () => {
    let next = 0;
    const lane = async () => {
      while (next < paths.length) {
        const hash = createHash('sha256');
        for await (const part of createReadStream(paths[next++]!)) hash.update(part as Buffer);
        hash.digest('hex');
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  };
  const verify = async () => {
    const report = await verifyTenant(
      { manifests: repos.manifests, signingKeys: repos.signingKeys, target: async () => target, concurrency },
      tenant,
    );
    if (report.findings.length) throw new Error(`unexpected findings: ${JSON.stringify(report.findings)}`);
  };
  const timed = async (work: () => Promise<void>) => {
    const start = process.hrtime.bigint();
    await work();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };

  await bare(); // page cache warm-up, not counted
  const total = files * fileBytes;
  const rows: { run: number; bare: number; verify: number }[] = [];
  for (let run = 1; run <= runs; run++) {
    // Alternating order, so neither side always runs on a cache the other just warmed.
    const [first, second] = run % 2 ? [bare, verify] : [verify, bare];
    const a = await timed(first);
    const b = await timed(second);
    rows.push(run % 2 ? { run, bare: a, verify: b } : { run, bare: b, verify: a });
  }
  const gbPerMin = (seconds: number) => ((total / GB) * 60) / seconds;
  console.log(
    `${files} files × ${values.mib} MiB = ${(total / GB).toFixed(2)} GB, concurrency ${concurrency}, Node ${process.version}, ${os.cpus().length} cores`,
  );
  console.log('| run | bare read+sha256 GB/min | verify GB/min | verify / bare |');
  console.log('| --- | ----------------------- | ------------- | ------------- |');
  for (const r of rows) {
    console.log(
      `| ${r.run} | ${gbPerMin(r.bare).toFixed(1)} | ${gbPerMin(r.verify).toFixed(1)} | ${(r.bare / r.verify).toFixed(2)} |`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const b = median(rows.map((r) => r.bare));
  const v = median(rows.map((r) => r.verify));
  console.log(
    `median: bare ${gbPerMin(b).toFixed(1)} GB/min, verify ${gbPerMin(v).toFixed(1)} GB/min, ratio ${(b / v).toFixed(2)}`,
  );
} finally {
  await handle.close();
  await fs.rm(work, { recursive: true, force: true });
}
