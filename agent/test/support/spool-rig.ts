import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FfmpegCaptureBackend, FfmpegCaptureOptionsSchema, resolveFfmpeg } from '@deskrec/capture-ffmpeg';
import { type AgentMessageBody, CaptureSettingsSchema, type HostMessage, silentLogger } from '@deskrec/core';
import { CaptureRunner } from '../../src/capture/capture-runner.js';
import { HostOutbox } from '../../src/spool/host-outbox.js';
import { recoverSpool } from '../../src/spool/recover-spool.js';
import { Spool } from '../../src/spool/spool.js';
import { SpoolHealth } from '../../src/spool/spool-health.js';
import { Uploader } from '../../src/upload/uploader.js';

/** A small real filesystem (tmpfs) at a fresh folder, or why mounting one is not permitted here. */
export async function mountTmpfs(sizeKb: number): Promise<{ dir: string } | { skip: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    await fs.rmdir(dir);
    return {
      skip: `mount -t tmpfs is not permitted here (${String((error as Error).message).split('\n')[0]})`,
    };
  }
}

export function remount(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${mode}`, dir], { stdio: 'pipe' });
}

export async function unmount(dir: string): Promise<void> {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  } catch {}
  await fs.rm(dir, { recursive: true, force: true });
}

/** The agent's capture pieces as the daemon wires them, on a real ffmpeg test source; the host is `sent`. */
export async function spoolRig(root: string) {
  const sent: AgentMessageBody[] = [];
  const spool = new Spool(path.join(root, 'spool'));
  const outbox = new HostOutbox((m) => {
    sent.push(m);
    return true;
  }, silentLogger);
  outbox.flush();
  const uploader = new Uploader({
    spool,
    logger: silentLogger,
    maxKbps: 0,
    retryMaxSeconds: 1,
    stateDir: await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-upload-state-')),
  });
  const options = FfmpegCaptureOptionsSchema.parse({
    input: 'lavfi',
    testMonitors: [{ width: 640, height: 360 }],
  });
  const backend = new FfmpegCaptureBackend(await resolveFfmpeg(options.ffmpegPath), options);
  let runner: CaptureRunner | undefined;
  let recovering: Promise<void> = Promise.resolve();
  const recover = () => {
    recovering = recovering.then(() =>
      recoverSpool({
        spool,
        backend,
        uploader,
        outbox,
        logger: silentLogger,
        active: () => new Set(runner?.activeCaptureId ? [runner.activeCaptureId] : []),
      }),
    );
    return recovering;
  };
  const health = new SpoolHealth({
    spool,
    outbox,
    logger: silentLogger,
    minFreeDiskMb: 0,
    checkMs: 60_000,
    onRecovered: () => void recover(),
  });
  runner = new CaptureRunner({
    backend,
    spool,
    uploader,
    logger: silentLogger,
    send: (m) => {
      sent.push(m);
      return true;
    },
    minFreeDiskMb: 0,
    // Nothing listens there: uploads keep failing and the files stay in the spool, as in a host outage.
    uploadUrl: () => 'http://127.0.0.1:9',
    health,
    recover,
  });
  const start = (captureId: string): Promise<void> =>
    runner!.start({
      v: 1,
      type: 'capture.start',
      captureId,
      recordingId: `rec-${captureId}`,
      uploadToken: 't'.repeat(43),
      settings: CaptureSettingsSchema.parse({ fps: 5, bitrateKbps: 300 }),
    } satisfies HostMessage);
  return {
    sent,
    spool,
    health,
    runner,
    uploader,
    outbox,
    start,
    recovered: () => recovering,
    reports: () => sent.filter((m) => m.type === 'spool.report'),
  };
}
