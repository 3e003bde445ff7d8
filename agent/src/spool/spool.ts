import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CapturedSegment } from '@deskrec/core';
import { z } from 'zod';

/** What the agent must remember about a capture to upload its files, even after a crash. */
export const CaptureRecordSchema = z.object({
  captureId: z.string(),
  recordingId: z.string(),
  uploadToken: z.string(),
  uploadUrl: z.string(),
  startedAt: z.string(),
  monitors: z.array(z.string()).default([]),
});
export type CaptureRecord = z.output<typeof CaptureRecordSchema>;

export const SegmentRecordSchema = z.object({
  captureId: z.string(),
  index: z.number().int().min(0),
  monitorId: z.string(),
  fileName: z.string(),
  startedAt: z.string(),
  durationMs: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: z.string(),
});
export type SegmentRecord = z.output<typeof SegmentRecordSchema>;

/** The sidecar record of a segment the backend reported. */
export function segmentRecord(segment: CapturedSegment): SegmentRecord {
  return {
    captureId: segment.captureId,
    index: segment.index,
    monitorId: segment.monitorId,
    fileName: path.basename(segment.path),
    startedAt: segment.startedAt.toISOString(),
    durationMs: Math.round(segment.durationMs),
    bytes: segment.bytes,
    sha256: segment.sha256,
  };
}

export interface SpooledSegment {
  capture: CaptureRecord;
  segment: SegmentRecord;
  path: string;
}

/** A capture folder left by an earlier agent process, with the files it had already reported. */
export interface LeftCapture {
  capture: CaptureRecord;
  dir: string;
  /** Names of the segment files that have a sidecar (reported, with their identity). */
  known: Set<string>;
}

const CAPTURE_FILE = 'capture.json';
/** The next segment index of a capture, persisted before a segment is reported (see nextIndex). */
const NEXT_INDEX_FILE = 'next-index.json';
const CONFLICTS = 'conflicts';
const sidecar = (file: string) => `${file}.json`;
/** Marks a file the host confirmed it received: kept, not uploaded again, until the host says it is stored. */
const sentMark = (file: string) => `${file}.sent`;
const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false,
  );

export async function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const temp = `${file}.tmp`;
  await fs.writeFile(temp, JSON.stringify(value), { mode: 0o600 });
  await fs.rename(temp, file);
}

/**
 * The agent's spool: one folder per capture holding its segment files, a capture record and a sidecar
 * per reported segment. A file leaves the spool only once a host said it is in the storage target.
 */
export class Spool {
  constructor(readonly root: string) {}

  captureDir(captureId: string): string {
    return path.join(this.root, 'captures', captureId.replace(/[^A-Za-z0-9_-]/g, '_'));
  }

  async hasCapture(captureId: string): Promise<boolean> {
    return fs.access(this.captureDir(captureId)).then(
      () => true,
      () => false,
    );
  }

  async beginCapture(record: CaptureRecord): Promise<string> {
    const dir = this.captureDir(record.captureId);
    await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
    // Not recursive: on a read-only disk, Node's recursive mkdir says ENOENT instead of EROFS.
    await fs.mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await writeJsonAtomic(path.join(dir, CAPTURE_FILE), record);
    return dir;
  }

  async addSegment(segment: SegmentRecord, filePath: string): Promise<SpooledSegment> {
    const dir = path.dirname(filePath);
    const capture = await this.readCapture(dir);
    if (!capture) throw new Error(`no capture record for ${filePath}`);
    // Kept after the file is uploaded and gone, so indexes are never handed out twice for one capture.
    if (segment.index + 1 > (await this.readNextIndex(dir)))
      await writeJsonAtomic(path.join(dir, NEXT_INDEX_FILE), { next: segment.index + 1 });
    await writeJsonAtomic(sidecar(filePath), segment);
    return { capture, segment, path: filePath };
  }

  /** The first index a capture may still use: above every segment it ever reported. */
  async nextIndex(captureId: string): Promise<number> {
    const dir = this.captureDir(captureId);
    let next = await this.readNextIndex(dir);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith('.mp4.json')) continue;
      const raw = await fs.readFile(path.join(dir, name), 'utf8').catch(() => '');
      const parsed = SegmentRecordSchema.safeParse(safeJson(raw));
      if (parsed.success) next = Math.max(next, parsed.data.index + 1);
    }
    return next;
  }

  private async readNextIndex(dir: string): Promise<number> {
    const raw = await fs.readFile(path.join(dir, NEXT_INDEX_FILE), 'utf8').catch(() => '');
    const parsed = z.object({ next: z.number().int().min(0) }).safeParse(safeJson(raw));
    return parsed.success ? parsed.data.next : 0;
  }

  /** Capture folders an earlier process left (all but the running captures), for recovery. */
  async leftCaptures(activeCaptureIds: ReadonlySet<string> = new Set()): Promise<LeftCapture[]> {
    const base = path.join(this.root, 'captures');
    const out: LeftCapture[] = [];
    for (const name of (await fs.readdir(base).catch(() => [] as string[])).sort()) {
      const dir = path.join(base, name);
      const capture = await this.readCapture(dir);
      if (!capture || activeCaptureIds.has(capture.captureId)) continue;
      const names = await fs.readdir(dir).catch(() => [] as string[]);
      const known = new Set(names.filter((n) => n.endsWith('.mp4') && names.includes(sidecar(n))));
      out.push({ capture, dir, known });
    }
    return out;
  }

  /**
   * Moves a file the host refuses for good (it stores another file under the same identity) out of the
   * upload queue, into `conflicts/`, where an admin can look at it; nothing is deleted.
   */
  async setAside(item: SpooledSegment): Promise<string> {
    const dir = path.join(this.root, CONFLICTS, path.basename(path.dirname(item.path)));
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const target = path.join(dir, path.basename(item.path));
    await fs.rename(item.path, target);
    await fs.rename(sidecar(item.path), sidecar(target)).catch(() => undefined);
    await this.remove(item);
    return target;
  }

  /**
   * The host has the file (in its spool, not necessarily in storage yet): it stays here, marked, until
   * the host says it is stored (or asks for it again). False when the file is gone already.
   */
  async markSent(item: SpooledSegment): Promise<boolean> {
    if (!(await exists(item.path))) return false;
    await fs.writeFile(sentMark(item.path), '', { mode: 0o600 });
    return true;
  }

  /** The host lost its copy: the file is an upload to make again. */
  async unmarkSent(item: SpooledSegment): Promise<void> {
    await fs.rm(sentMark(item.path), { force: true });
  }

  /** Files the host received and has not yet said are stored (they survive an agent restart). */
  async awaitingStorage(): Promise<SpooledSegment[]> {
    const out: SpooledSegment[] = [];
    for (const item of await this.sidecarsOf()) if (await exists(sentMark(item.path))) out.push(item);
    return out;
  }

  /** The spooled file of one segment, found by its identity. */
  async find(ref: {
    captureId: string;
    monitorId: string;
    index: number;
  }): Promise<SpooledSegment | undefined> {
    const items = await this.sidecarsOf(this.captureDir(ref.captureId));
    return items.find(
      (i) =>
        i.segment.captureId === ref.captureId &&
        i.segment.monitorId === ref.monitorId &&
        i.segment.index === ref.index,
    );
  }

  /** Every file with a readable sidecar, in one capture folder or in all of them. */
  private async sidecarsOf(only?: string): Promise<SpooledSegment[]> {
    const base = path.join(this.root, 'captures');
    const dirs = only
      ? [only]
      : (await fs.readdir(base).catch(() => [] as string[])).map((n) => path.join(base, n));
    const out: SpooledSegment[] = [];
    for (const dir of dirs.sort()) {
      const capture = await this.readCapture(dir);
      if (!capture) continue;
      for (const name of (await fs.readdir(dir).catch(() => [] as string[])).sort()) {
        if (!name.endsWith('.mp4')) continue;
        const full = path.join(dir, name);
        const raw = await fs.readFile(sidecar(full), 'utf8').catch(() => undefined);
        const parsed = raw ? SegmentRecordSchema.safeParse(safeJson(raw)) : undefined;
        if (parsed?.success) out.push({ capture, segment: parsed.data, path: full });
      }
    }
    return out;
  }

  /** Writes and removes a small file: whether captures can be spooled now. */
  async probeWritable(): Promise<void> {
    await fs.mkdir(path.join(this.root, 'captures'), { recursive: true, mode: 0o700 });
    const probe = path.join(this.root, 'captures', `.probe-${process.pid}`);
    await fs.writeFile(probe, 'ok');
    await fs.rm(probe, { force: true });
  }

  /** Removes an uploaded file and its sidecar; the capture folder goes once it is empty. */
  async remove(item: SpooledSegment): Promise<void> {
    await fs.rm(item.path, { force: true });
    await fs.rm(sidecar(item.path), { force: true });
    await fs.rm(sentMark(item.path), { force: true });
    const dir = path.dirname(item.path);
    const left = (await fs.readdir(dir).catch(() => [])).filter(
      (f) => f !== CAPTURE_FILE && f !== NEXT_INDEX_FILE,
    );
    if (left.length === 0) await fs.rm(dir, { recursive: true, force: true });
  }

  private async readCapture(dir: string): Promise<CaptureRecord | undefined> {
    try {
      return CaptureRecordSchema.parse(JSON.parse(await fs.readFile(path.join(dir, CAPTURE_FILE), 'utf8')));
    } catch {
      return undefined;
    }
  }

  /**
   * Everything still waiting to be uploaded, including files a crashed capture never reported and no
   * backend recovered: those get their checksum now and indexes after every index the capture ever used.
   */
  async pending(activeCaptureIds: ReadonlySet<string> = new Set()): Promise<SpooledSegment[]> {
    const base = path.join(this.root, 'captures');
    const dirs = await fs.readdir(base).catch(() => [] as string[]);
    const out: SpooledSegment[] = [];
    for (const name of dirs.sort()) {
      const dir = path.join(base, name);
      const capture = await this.readCapture(dir);
      if (!capture || activeCaptureIds.has(capture.captureId)) continue;
      const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.mp4')).sort();
      const next = new Map<string, number>();
      const floor = await this.readNextIndex(dir);
      const orphans: string[] = [];
      for (const file of files) {
        const full = path.join(dir, file);
        const raw = await fs.readFile(sidecar(full), 'utf8').catch(() => undefined);
        const parsed = raw ? SegmentRecordSchema.safeParse(safeJson(raw)) : undefined;
        if (parsed?.success) {
          // Received by the host already: kept until it is stored, not uploaded again.
          if (!(await exists(sentMark(full)))) out.push({ capture, segment: parsed.data, path: full });
          next.set(
            parsed.data.monitorId,
            Math.max(next.get(parsed.data.monitorId) ?? 0, parsed.data.index + 1),
          );
        } else orphans.push(full);
      }
      for (const full of orphans) {
        // One file that cannot be taken now (e.g. a full disk for its sidecar) waits for the next scan.
        const taken = await this.adoptOrphan(capture, full, next, floor).catch(() => undefined);
        if (taken) out.push(taken);
      }
    }
    return out;
  }

  private async adoptOrphan(
    capture: CaptureRecord,
    full: string,
    next: Map<string, number>,
    floor: number,
  ): Promise<SpooledSegment | undefined> {
    const info = await fs.stat(full);
    if (info.size === 0) {
      await fs.rm(full, { force: true });
      return undefined;
    }
    const monitorId =
      /(?:^|[^0-9])(\d+)[-_]\d+\.mp4$/.exec(path.basename(full))?.[1] ?? capture.monitors[0] ?? '0';
    const index = Math.max(next.get(monitorId) ?? 0, floor);
    next.set(monitorId, index + 1);
    const { sha256, bytes } = await sha256File(full);
    const segment: SegmentRecord = {
      captureId: capture.captureId,
      index,
      monitorId,
      fileName: path.basename(full),
      startedAt: info.birthtime.getTime() ? info.birthtime.toISOString() : info.mtime.toISOString(),
      durationMs: 0,
      bytes,
      sha256,
    };
    if (index + 1 > floor)
      await writeJsonAtomic(path.join(path.dirname(full), NEXT_INDEX_FILE), { next: index + 1 });
    await writeJsonAtomic(sidecar(full), segment);
    return { capture, segment, path: full };
  }
}
