import fs from 'node:fs/promises';

/** Free space for unprivileged writes in the folder's filesystem, in MiB. */
export async function freeMb(dir: string): Promise<number> {
  const stats = await fs.statfs(dir);
  return (stats.bavail * stats.bsize) / (1024 * 1024);
}
