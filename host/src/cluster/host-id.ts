import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HOST_ID = /^host_[0-9a-f]{16}$/;

/**
 * This host's id in the cluster, kept in `<dataDir>/host-id`: stable across restarts, because what the host
 * holds on its own disk (spooled segments) belongs to the data folder, not to one process.
 */
export function loadHostId(dataDir: string): string {
  const file = join(dataDir, 'host-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (HOST_ID.test(id)) return id;
    throw new Error(
      `${file} holds "${id.slice(0, 40)}", not a host id (host_ and 16 hex digits); delete it to get a new one`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const id = `host_${randomBytes(8).toString('hex')}`;
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, `${id}\n`, { mode: 0o600 });
  try {
    // A link never replaces a file: of two hosts started on one folder at once, both end with the first id.
    linkSync(partial, file);
    return id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadHostId(dataDir);
  } finally {
    unlinkSync(partial);
  }
}
