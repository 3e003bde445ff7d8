import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface UploadGrantFixture {
  token: string;
  recordingId: string;
  workstationId: string;
}

/**
 * A workstation and one of its recordings with an upload token, as the orchestrator leaves them when a
 * capture starts; idempotent so a restarted host keeps accepting the same token.
 */
export async function seedUploadGrant(
  db: Kysely<Database>,
  tenantId: string,
  options: { name: string; token?: string; state?: 'pending' | 'authorized' | 'forbidden' },
): Promise<UploadGrantFixture> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const workstationId = `ws-${options.name}`;
  const recordingId = `rec-${options.name}`;
  const now = new Date();
  await db
    .insertInto('workstations')
    .values({
      tenant_id: tenantId,
      id: workstationId,
      secret_hash: hashToken(`secret-${options.name}`),
      state: options.state ?? 'authorized',
      computer_name: `PC-${options.name}`,
      monitors: '[]',
      first_seen: now,
      last_seen: now,
    })
    .onConflict((c) => c.doNothing())
    .execute();
  await db
    .insertInto('recordings')
    .values({
      id: recordingId,
      tenant_id: tenantId,
      workstation_id: workstationId,
      capture_id: `cap-${options.name}`,
      state: 'recording',
      started_at: now,
      upload_token_hash: hashToken(token),
    })
    .onConflict((c) => c.doNothing())
    .execute();
  return { token, recordingId, workstationId };
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes `bytes` random bytes to `file` in 1 MiB chunks (never the whole file in memory). */
export async function writeRandomFile(file: string, bytes: number): Promise<string> {
  const out = createWriteStream(file);
  const hash = createHash('sha256');
  for (let left = bytes; left > 0; ) {
    const chunk = randomBytes(Math.min(left, 1024 * 1024));
    hash.update(chunk);
    left -= chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return hash.digest('hex');
}

/** The tus Upload-Metadata an agent sends for one segment. */
export function segmentMetadata(
  recordingId: string,
  index: number,
  file: { sha256: string; bytes: number },
): Record<string, string> {
  return {
    captureId: `cap-${recordingId}`,
    recordingId,
    monitorId: '0',
    index: String(index),
    sha256: file.sha256,
    bytes: String(file.bytes),
    startedAt: new Date().toISOString(),
    durationMs: '10000',
    filename: `segment-${index}.mp4`,
  };
}

/** tus Upload-Metadata header value: comma-separated `key base64(value)` pairs. */
export function encodeMetadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
}

export interface HostProcess {
  child: ChildProcess;
  url: string;
  token: string;
  recordingId: string;
  tenantId: string;
  pid: number;
  /** The host process's resident memory in bytes, after a forced GC. */
  rss(): Promise<number>;
  /** JS heap and external memory as of the last rss() call. */
  heap(): { heapUsed: number; external: number };
  kill(signal?: NodeJS.Signals): Promise<void>;
}

const childScript = fileURLToPath(new URL('./uploads-host-process.ts', import.meta.url));

/**
 * A real host in its own process (so it can be SIGKILLed, and its RSS is its own), with a fixed upload
 * grant seeded under `name`. Restarting with the same dataDir reopens the same database and spool.
 */
export async function startHostProcess(options: {
  dataDir: string;
  name: string;
  token: string;
  /** Extra node flags, e.g. `--cpu-prof` for the benchmark's profile. */
  nodeArgs?: string[];
}): Promise<HostProcess> {
  await fs.mkdir(options.dataDir, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      '--import',
      'tsx',
      '--expose-gc',
      childScript,
      options.dataDir,
      options.name,
      options.token,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`host process exited ${code}: ${err.slice(-2000)}`)));
  });
  let lastHeap = { heapUsed: 0, external: 0 };
  return {
    child,
    heap: () => lastHeap,
    url: ready.url!,
    token: options.token,
    recordingId: ready.recordingId!,
    tenantId: ready.tenantId!,
    pid: child.pid!,
    rss: () =>
      new Promise((resolve) => {
        const onData = (d: Buffer) => {
          const match = /\{"rss":(\d+),"heapUsed":(\d+),"external":(\d+)\}/.exec(String(d));
          if (!match) return;
          child.stdout!.off('data', onData);
          lastHeap = { heapUsed: Number(match[2]), external: Number(match[3]) };
          resolve(Number(match[1]));
        };
        child.stdout!.on('data', onData);
        child.stdin!.write('rss\n');
      }),
    kill: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export const spoolDirs = (dataDir: string) => ({
  incoming: path.join(dataDir, 'spool', 'incoming'),
  ready: path.join(dataDir, 'spool', 'ready'),
});

/** One small segment in a single tus creation-with-upload request; returns the HTTP status. */
export async function tusUploadBuffer(
  baseUrl: string,
  grant: { token: string; recordingId: string },
  index: number,
  body: Buffer,
): Promise<number> {
  const sha256 = createHash('sha256').update(body).digest('hex');
  const response = await fetch(`${baseUrl}/api/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${grant.token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(body.length),
      'upload-metadata': encodeMetadata(
        segmentMetadata(grant.recordingId, index, { sha256, bytes: body.length }),
      ),
      'content-type': 'application/offset+octet-stream',
    },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}
