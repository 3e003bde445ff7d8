import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import { until } from './support/e2e-host.js';
import { agentUpload } from './support/uploads-agent.js';
import {
  type HostProcess,
  sha256File,
  startHostProcess,
  writeRandomFile,
} from './support/uploads-fixtures.js';
import { type CountingProxy, startCountingProxy } from './support/uploads-proxy.js';

const FILE_BYTES = 64 * 1024 * 1024;
let work: string;
let host: HostProcess | undefined;
let proxy: CountingProxy | undefined;

test.before(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-uploads-restart-'));
});

test.after(async () => {
  await host?.kill('SIGKILL');
  await proxy?.close();
  await fs.rm(work, { recursive: true, force: true });
});

async function incomingBytes(dataDir: string): Promise<number> {
  const dir = path.join(dataDir, 'spool', 'incoming');
  const files = (await fs.readdir(dir).catch(() => [])).filter((f) => !f.endsWith('.json'));
  let bytes = 0;
  for (const f of files) bytes += (await fs.stat(path.join(dir, f))).size;
  return bytes;
}

test('a host killed mid-upload resumes from the offset it has after a restart, and stores the same bytes', async () => {
  const dataDir = path.join(work, 'host');
  const token = randomBytes(32).toString('base64url');
  host = await startHostProcess({ dataDir, name: 'restart', token });
  proxy = await startCountingProxy(Number(new URL(host.url).port));
  const source = path.join(work, 'segment.mp4');
  await writeRandomFile(source, FILE_BYTES);

  // 64 MiB at 160 Mbit/s takes ~3.4 s: long enough to kill the host halfway.
  const upload = await agentUpload({
    agentDir: path.join(work, 'agent'),
    source,
    uploadUrl: `http://127.0.0.1:${proxy.port}`,
    recordingId: host.recordingId,
    token,
    maxKbps: 160_000,
  });
  await until('a third of the file on the host', async () => (await incomingBytes(dataDir)) > FILE_BYTES / 3);
  await host.kill('SIGKILL');
  const offset = await incomingBytes(dataDir);
  assert.ok(offset > 0 && offset < FILE_BYTES, `the host held a partial file (${offset} bytes)`);
  const sentBefore = proxy.bytesUp();

  host = await startHostProcess({ dataDir, name: 'restart', token });
  proxy.retarget(Number(new URL(host.url).port));
  await until('the agent to get the upload confirmed', async () =>
    fs.access(upload.spoolFile).then(
      () => false,
      () => true,
    ),
  );
  await upload.uploader.stop();
  const sentAfter = proxy.bytesUp() - sentBefore;
  assert.ok(
    sentAfter < FILE_BYTES - offset + 1024 * 1024,
    `after the restart the agent sent ${sentAfter} bytes; the host already had ${offset} of ${FILE_BYTES}`,
  );

  // The store job runs in the host process; wait for the stored file.
  const stored = await until('the segment to be stored', async () => {
    const root = path.join(dataDir, 'recordings');
    const days = await fs.readdir(root).catch(() => []);
    for (const day of days) {
      // Skip the local target's temp files: only a renamed file is stored.
      const files = (await fs.readdir(path.join(root, day))).filter((f) => !f.startsWith('.'));
      if (files.length) return path.join(root, day, files[0]!);
    }
    return undefined;
  });
  assert.equal(await sha256File(stored), upload.sha256, 'stored bytes are the bytes the agent hashed');
  assert.deepEqual(await fs.readdir(path.join(dataDir, 'spool', 'incoming')), []);
});

test.run();
