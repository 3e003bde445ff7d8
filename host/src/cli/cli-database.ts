import { join } from 'node:path';
import { silentLogger } from '@deskrec/core';
import { ConfigError } from '../config/config-error.js';
import type { HostConfig } from '../config/schema.js';
import { openDatabase } from '../db/open-database.js';

/** The host's database for a one-shot command; the embedded one only opens while no host holds it. */
export async function openCliDatabase(config: HostConfig): Promise<Awaited<ReturnType<typeof openDatabase>>> {
  try {
    return await openDatabase({
      ...(config.database.url ? { url: config.database.url } : { embeddedDir: join(config.dataDir, 'db') }),
      logger: silentLogger,
    });
  } catch (error) {
    throw new ConfigError(
      `the database cannot be opened (${(error as Error).message})${
        config.database.url ? '' : '; stop the running host first, it holds the embedded database'
      }`,
    );
  }
}
