import fs from 'node:fs/promises';
import path from 'node:path';
import { type CheckLine, checkFail, checkOk, checkWarn } from '@deskrec/core';

/** The folder itself when it exists, else its nearest existing parent (where it would be created). */
async function nearestExisting(dir: string): Promise<string> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      await fs.stat(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** Writes and removes a probe file: permissions, read-only mounts and full disks all show up here. */
export async function checkWritable(check: string, dir: string): Promise<CheckLine> {
  const existing = await nearestExisting(dir);
  const probe = path.join(existing, `.deskrec-doctor-${process.pid}`);
  try {
    await fs.writeFile(probe, 'probe');
    await fs.rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return checkFail(
      check,
      `${existing} is not writable (${code})`,
      `give the user running deskrec write access to ${existing}, or point the data folder elsewhere`,
    );
  }
  return existing === path.resolve(dir)
    ? checkOk(check, `${dir} is writable`)
    : checkOk(check, `${dir} does not exist yet; ${existing} is writable, so it can be created`);
}

export interface DiskFloor {
  /** Below this the check fails. */
  failBytes: number;
  /** Below this the check warns. */
  warnBytes: number;
}

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024).toLocaleString('en')} MB`;

/** Free space for unprivileged users on the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await fs.statfs(await nearestExisting(dir));
  return stats.bavail * stats.bsize;
}

export async function checkFreeDisk(check: string, dir: string, floor: DiskFloor): Promise<CheckLine> {
  let free: number;
  try {
    free = await freeBytes(dir);
  } catch (error) {
    return checkWarn(check, `cannot read the free space of ${dir}: ${(error as Error).message}`);
  }
  const text = `${mb(free)} free for ${dir}`;
  const fix = `free space on that disk or move the data folder to a larger one`;
  if (free < floor.failBytes) return checkFail(check, `${text}, below ${mb(floor.failBytes)}`, fix);
  if (free < floor.warnBytes) return checkWarn(check, `${text}, below ${mb(floor.warnBytes)}`, fix);
  return checkOk(check, text);
}
