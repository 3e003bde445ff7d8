import path from 'node:path';
import {
  type Clock,
  instantiatePlugin,
  type Logger,
  type PluginManifest,
  resolvePlugin,
  type StorageTarget,
  TOKENS,
} from '@deskrec/core';
import type { PbxRecordingsConfig } from '../config/pbx-recordings.js';
import type { HostConfig } from '../config/schema.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';

/** Where one source's PBX recordings are read from. */
export interface PbxRecordingLocation {
  config: PbxRecordingsConfig;
  /** Opened on first use; undefined for a URL location. */
  storage?: () => Promise<StorageTarget>;
}

/**
 * The `recordings` locations of the call-event sources. A storage location is a plugin instance of its own
 * (not a tenant's target): it is created once, on first use, and closed with the host.
 */
@injectable()
export class PbxRecordingSources {
  private readonly locations = new Map<string, PbxRecordingLocation>();
  private readonly opened: Promise<StorageTarget>[] = [];

  constructor(
    @inject(HOST_TOKENS.Config) config: Pick<HostConfig, 'dataDir' | 'plugins'>,
    @inject(TOKENS.Logger) logger: Logger,
    @inject(TOKENS.Clock) clock: Clock,
    @inject(HOST_TOKENS.ShutdownSignal) signal: AbortSignal,
  ) {
    for (const entry of config.plugins.callEvents) {
      const recordings = entry.recordings;
      if (!recordings) continue;
      const storage = recordings.storage;
      let target: Promise<StorageTarget> | undefined;
      const where = `plugins.callEvents "${entry.id}" recordings.storage`;
      const open = storage
        ? () => {
            if (!target) {
              const opening = this.instantiate(storage, entry.id, where, { config, logger, clock, signal });
              // A failed start (bad options, package missing) is tried again on the next attempt.
              opening.catch(() => {
                if (target === opening) target = undefined;
              });
              this.opened.push(opening);
              target = opening;
            }
            return target;
          }
        : undefined;
      this.locations.set(entry.id, { config: recordings, ...(open ? { storage: open } : {}) });
    }
  }

  private async instantiate(
    storage: NonNullable<PbxRecordingsConfig['storage']>,
    sourceId: string,
    where: string,
    host: { config: Pick<HostConfig, 'dataDir'>; logger: Logger; clock: Clock; signal: AbortSignal },
  ): Promise<StorageTarget> {
    const manifest = await resolvePlugin('storage', storage.use, where);
    const id = `pbx-recordings-${sourceId}`;
    return instantiatePlugin(
      manifest as PluginManifest<'storage'>,
      storage.options ?? {},
      {
        logger: host.logger.child({ pbxRecordings: sourceId }),
        clock: host.clock,
        instanceId: id,
        dataDir: path.join(host.config.dataDir, 'plugins', `storage-${id}`),
        signal: host.signal,
      },
      where,
    );
  }

  get(sourceId: string): PbxRecordingLocation | undefined {
    return this.locations.get(sourceId);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.opened.map((opened) => opened.then((target) => target.close()).catch(() => undefined)),
    );
  }
}
