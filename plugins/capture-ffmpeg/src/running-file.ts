import fs from 'node:fs/promises';
import { z } from 'zod';

/**
 * What a capture folder says about the ffmpeg writing into it, so a restarted agent can end an ffmpeg its
 * previous process left running and date the files it left.
 */
export const RunningFileSchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.iso.datetime(),
  /** After this, ffmpeg has ended on its own (`-t`), and the pid may belong to another process. */
  until: z.iso.datetime(),
  outputDir: z.string(),
  /** Each monitor's file prefix, since a prefix holds the monitor id only in a file-safe form. */
  monitors: z.array(z.object({ monitorId: z.string(), filePrefix: z.string() })).default([]),
});
export type RunningFile = z.output<typeof RunningFileSchema>;

export async function writeRunningFile(file: string, running: RunningFile): Promise<void> {
  await fs.writeFile(`${file}.tmp`, JSON.stringify(running));
  await fs.rename(`${file}.tmp`, file);
}

export async function readRunningFile(file: string): Promise<RunningFile | undefined> {
  const raw = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (!raw) return undefined;
  try {
    const parsed = RunningFileSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
