import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
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

export interface SpooledSegment {
  capture: CaptureRecord;
  segment: SegmentRecord;
  path: string;
}

const CAPTURE_FILE = 'capture.json';
const sidecar = (file: string) => `${file}.json`;

export async function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const temp = `${file}.tmp`;
  await fs.writeFile(temp, JSON.stringify(value), { mode: 0o600 });
  await fs.rename(temp, file);
}

/**
 * The agent's spool: one folder per capture holding its segment files, a capture record and a sidecar
 * per reported segment. A file leaves the spool only once the host confirmed it stored the bytes.
 */
export class Spool {
  constructor(readonly root: string) {}

  captureDir(captureId: string): string {
    return path.join(this.root, 'captures', captureId.replace(/[^A-Za-z0-9_-]/g, '_'));
  }

  async beginCapture(record: CaptureRecord): Promise<string> {
    const dir = this.captureDir(record.captureId);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await writeJsonAtomic(path.join(dir, CAPTURE_FILE), record);
    return dir;
  }

  async addSegment(segment: SegmentRecord, filePath: string): Promise<SpooledSegment> {
    const capture = await this.readCapture(path.dirname(filePath));
    if (!capture) throw new Error(`no capture record for ${filePath}`);
    await writeJsonAtomic(sidecar(filePath), segment);
    return { capture, segment, path: filePath };
  }

  /** Removes an uploaded file and its sidecar; the capture folder goes once it is empty. */
  async remove(item: SpooledSegment): Promise<void> {
    await fs.rm(item.path, { force: true });
    await fs.rm(sidecar(item.path), { force: true });
    const dir = path.dirname(item.path);
    const left = (await fs.readdir(dir).catch(() => [])).filter((f) => f !== CAPTURE_FILE);
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
   * Everything still waiting to be uploaded, including files a crashed capture never reported: those get
   * their checksum now and indexes after the last reported one of their monitor.
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
      const orphans: string[] = [];
      for (const file of files) {
        const full = path.join(dir, file);
        const raw = await fs.readFile(sidecar(full), 'utf8').catch(() => undefined);
        const parsed = raw ? SegmentRecordSchema.safeParse(JSON.parse(raw)) : undefined;
        if (parsed?.success) {
          out.push({ capture, segment: parsed.data, path: full });
          next.set(
            parsed.data.monitorId,
            Math.max(next.get(parsed.data.monitorId) ?? 0, parsed.data.index + 1),
          );
        } else orphans.push(full);
      }
      for (const full of orphans) {
        const info = await fs.stat(full);
        if (info.size === 0) {
          await fs.rm(full, { force: true });
          continue;
        }
        const monitorId =
          /(?:^|[^0-9])(\d+)[-_]\d+\.mp4$/.exec(path.basename(full))?.[1] ?? capture.monitors[0] ?? '0';
        const index = next.get(monitorId) ?? 0;
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
        await writeJsonAtomic(sidecar(full), segment);
        out.push({ capture, segment, path: full });
      }
    }
    return out;
  }
}
