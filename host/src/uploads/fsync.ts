import fs from 'node:fs/promises';

/** Flushes a file or folder to disk: an upload is acknowledged only once its bytes survive a power cut. */
export async function fsyncPath(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
