import fs from 'node:fs/promises';
import path from 'node:path';
import type { CapturedSegment, Logger, RecoveredCapture } from '@deskrec/core';
import { fileDigest } from './file-digest.js';
import { probeMedia } from './media-probe.js';
import { type RunningFile, readRunningFile } from './running-file.js';
import { readNewLines } from './segment-list.js';
import { runningFileName, safeName, segmentNumber } from './segment-names.js';

export interface RecoverPlan {
  captureId: string;
  outputDir: string;
  known: ReadonlySet<string>;
  ffmpegPath: string;
  stopTimeoutMs: number;
  logger: Logger;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Whether the pid still is the ffmpeg that wrote into this folder (not a process that reused the pid). */
async function isOurFfmpeg(running: RunningFile): Promise<boolean> {
  if (Date.now() > Date.parse(running.until) || !alive(running.pid)) return false;
  if (process.platform !== 'linux') return true;
  const cmdline = await fs.readFile(`/proc/${running.pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(running.outputDir);
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** An ffmpeg the previous agent process left running: interrupted (it closes its file), killed if it hangs. */
async function endLeftover(running: RunningFile, plan: RecoverPlan): Promise<void> {
  if (!(await isOurFfmpeg(running))) return;
  plan.logger.warn({ pid: running.pid }, 'ending an ffmpeg a previous agent process left running');
  process.kill(running.pid, 'SIGINT');
  if (await waitForExit(running.pid, plan.stopTimeoutMs)) return;
  process.kill(running.pid, 'SIGKILL');
  await waitForExit(running.pid, 5000);
}

/**
 * What a previous agent process left in a capture folder: ends its ffmpeg, then reports each file nobody
 * reported with its index (ffmpeg's counter in the name), checksum and timing (from the segment lists,
 * relative to the start in the running file). Files without a frame are deleted and listed as discarded.
 */
export async function recoverCapture(plan: RecoverPlan): Promise<RecoveredCapture> {
  const runningPath = path.join(plan.outputDir, runningFileName(plan.captureId));
  const running = await readRunningFile(runningPath);
  if (running) await endLeftover(running, plan);
  const names = (await fs.readdir(plan.outputDir).catch(() => [] as string[])).sort();
  const capturePrefix = `${safeName(plan.captureId)}-m`;
  const monitorOf = (file: string) => {
    const known = running?.monitors.find((m) => file.startsWith(m.filePrefix));
    return known?.monitorId ?? file.slice(capturePrefix.length).replace(/-\d+\.mp4$/, '');
  };
  // Closed segments are in ffmpeg's lists with their times; the one it never closed starts where they end.
  const timing = new Map<string, { start: number; end: number }>();
  const lastEnd = new Map<string, number>();
  const lists = names.filter((n) => n.startsWith(capturePrefix) && n.endsWith('segments.csv'));
  for (const list of lists) {
    const { lines } = await readNewLines(path.join(plan.outputDir, list), 0);
    for (const line of lines) {
      const [file, start, end] = line.split(',');
      if (!file || end === undefined) continue;
      timing.set(file, { start: Number(start), end: Number(end) });
      lastEnd.set(monitorOf(file), Math.max(lastEnd.get(monitorOf(file)) ?? 0, Number(end)));
    }
  }
  const out: RecoveredCapture = { segments: [], discarded: [] };
  const files = names.filter(
    (n) => n.startsWith(capturePrefix) && /-\d+\.mp4$/.test(n) && !plan.known.has(n),
  );
  for (const name of files) {
    const file = path.join(plan.outputDir, name);
    const info = await probeMedia(plan.ffmpegPath, file);
    if (!info) {
      const { size } = await fs.stat(file);
      await fs.rm(file, { force: true });
      out.discarded.push({ path: file, bytes: size, reason: 'holds no video frame' });
      continue;
    }
    const { bytes, sha256 } = await fileDigest(file);
    const monitorId = monitorOf(name);
    const offset = timing.get(name)?.start ?? lastEnd.get(monitorId) ?? 0;
    const startedAt = running
      ? new Date(Date.parse(running.startedAt) + Math.round(offset * 1000))
      : new Date((await fs.stat(file)).mtime.getTime() - info.durationMs);
    const segment: CapturedSegment = {
      captureId: plan.captureId,
      index: segmentNumber(file),
      monitorId,
      path: file,
      startedAt,
      durationMs: info.durationMs,
      bytes,
      sha256,
    };
    out.segments.push(segment);
  }
  await Promise.all(lists.map((l) => fs.rm(path.join(plan.outputDir, l), { force: true })));
  await fs.rm(runningPath, { force: true });
  return out;
}
