import fs from 'node:fs/promises';
import path from 'node:path';
import { type CheckLine, checkFail, checkOk, checkWarn } from '@deskrec/core';
import { freeMb } from '../capture/disk-space.js';

const isPosix = process.platform !== 'win32';

/** The data folder exists (or can be created), is writable, and is not writable by other users. */
export async function checkDataFolder(dataDir: string): Promise<CheckLine> {
  const check = 'data folder';
  let stats: import('node:fs').Stats;
  try {
    stats = await fs.stat(dataDir);
  } catch {
    return checkOk(check, `${dataDir} does not exist yet; the first run creates it`);
  }
  const probe = path.join(dataDir, `.deskrec-doctor-${process.pid}`);
  try {
    await fs.writeFile(probe, 'probe');
    await fs.rm(probe, { force: true });
  } catch (error) {
    return checkFail(
      check,
      `${dataDir} is not writable (${(error as NodeJS.ErrnoException).code})`,
      'run the agent as the folder owner or fix its permissions',
    );
  }
  if (isPosix && stats.mode & 0o022) {
    return checkWarn(
      check,
      `${dataDir} is writable by other users (mode ${(stats.mode & 0o777).toString(8)})`,
      `chmod 700 ${dataDir}`,
    );
  }
  return checkOk(check, `${dataDir} is writable`);
}

/** The identity file holds the workstation secret: only its owner may read it. */
export async function checkIdentityFile(dataDir: string): Promise<CheckLine> {
  const check = 'identity file';
  const file = path.join(dataDir, 'identity.json');
  let stats: import('node:fs').Stats;
  try {
    stats = await fs.stat(file);
  } catch {
    return checkOk(check, `${file} does not exist yet; the first run creates it`);
  }
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { workstationId?: unknown };
    if (typeof parsed.workstationId !== 'string') throw new Error('no workstationId');
    if (isPosix && stats.mode & 0o077) {
      return checkFail(
        check,
        `${file} can be read by other users (mode ${(stats.mode & 0o777).toString(8)}); it holds the workstation secret`,
        `chmod 600 ${file}`,
      );
    }
    return checkOk(check, `${file}: workstation ${parsed.workstationId}, owner-only`);
  } catch (error) {
    return checkFail(
      check,
      `${file} cannot be read: ${(error as Error).message}`,
      'delete it to enroll as a new workstation (an admin authorizes it again)',
    );
  }
}

/** Free space against the configured floor below which the agent refuses captures. */
export async function checkFreeDisk(dataDir: string, floorMb: number): Promise<CheckLine> {
  const check = 'free disk';
  let dir = path.resolve(dataDir);
  while (!(await fs.stat(dir).catch(() => undefined)) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  let free: number;
  try {
    free = await freeMb(dir);
  } catch (error) {
    return checkWarn(check, `cannot read the free space of ${dir}: ${(error as Error).message}`);
  }
  const text = `${Math.floor(free).toLocaleString('en')} MiB free for ${dataDir}; captures need ${floorMb} MiB`;
  const fix = 'free space on that disk, move the data folder, or lower upload.minFreeDiskMb';
  if (free < floorMb) return checkFail(check, text, fix);
  if (free < floorMb * 2) return checkWarn(check, `${text} (less than twice the floor)`, fix);
  return checkOk(check, text);
}
