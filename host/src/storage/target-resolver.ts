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
import type { HostConfig } from '../config/schema.js';
import type { SettingsRepo } from '../db/repos/settings.js';
import type { StorageTargetsRepo } from '../db/repos/storage-targets.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';

/** Id under which the built-in local folder target appears when a tenant has chosen none. */
export const DEFAULT_TARGET_ID = 'default-local';

export interface ResolvedTarget {
  id: string;
  target: StorageTarget;
}

/**
 * Turns a tenant's configured storage target into a live StorageTarget, created through its plugin and
 * cached until the target's options change. A tenant without one stores under `<dataDir>/recordings`.
 */
@injectable()
export class TargetResolver {
  private readonly cache = new Map<string, { version: number; target: StorageTarget }>();
  private local: Promise<PluginManifest> | undefined;

  private readonly dataDir: string;

  constructor(
    @inject(HOST_TOKENS.SettingsRepo) private readonly settings: SettingsRepo,
    @inject(HOST_TOKENS.StorageTargetsRepo) private readonly targets: StorageTargetsRepo,
    /**
     * The storage instances this host offers, by the id admins pick (a target row's `kind`): the manifests
     * `plugins.storage` named, or the default kinds. A row is created through this map, never by looking its
     * kind up as a package name (a scoped package or a built-in under its own id would not be found).
     */
    @inject(HOST_TOKENS.StorageKinds) private readonly kinds: ReadonlyMap<string, PluginManifest<'storage'>>,
    @inject(HOST_TOKENS.Config) config: Pick<HostConfig, 'dataDir'>,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(HOST_TOKENS.ShutdownSignal) private readonly signal: AbortSignal,
  ) {
    this.dataDir = config.dataDir;
  }

  async forTenant(tenantId: string): Promise<ResolvedTarget> {
    const { storageTargetId } = await this.settings.get(tenantId);
    return storageTargetId ? this.byId(tenantId, storageTargetId) : this.defaultTarget();
  }

  async byId(tenantId: string, id: string): Promise<ResolvedTarget> {
    if (id === DEFAULT_TARGET_ID) return this.defaultTarget();
    const row = await this.targets.get(tenantId, id);
    if (!row)
      throw new Error(
        `storage target ${id} no longer exists; choose another in the screen recording settings`,
      );
    const key = `${tenantId}:${id}`;
    const cached = this.cache.get(key);
    if (cached && cached.version === row.updatedAt.getTime()) return { id, target: cached.target };
    await cached?.target.close().catch(() => undefined);
    const manifest = this.kinds.get(row.kind);
    if (!manifest) {
      const offered = [...this.kinds.keys()].join(', ') || 'none';
      throw new Error(
        `storage target "${row.name}" uses storage kind "${row.kind}", which this host no longer offers (plugins.storage offers: ${offered}); add it back to plugins.storage or choose another target`,
      );
    }
    const target = await instantiatePlugin(
      manifest as PluginManifest<'storage'>,
      row.options,
      this.context(id),
      `storage target "${row.name}"`,
    );
    this.cache.set(key, { version: row.updatedAt.getTime(), target });
    return { id, target };
  }

  private async defaultTarget(): Promise<ResolvedTarget> {
    const cached = this.cache.get(DEFAULT_TARGET_ID);
    if (cached) return { id: DEFAULT_TARGET_ID, target: cached.target };
    // The built-in folder target, whatever plugins.storage lists (the host depends on storage-local).
    this.local ??= resolvePlugin('storage', 'local', 'default local storage');
    const manifest = await this.local;
    const target = await instantiatePlugin(
      manifest as PluginManifest<'storage'>,
      { root: path.join(this.dataDir, 'recordings') },
      this.context(DEFAULT_TARGET_ID),
      'default local storage',
    );
    this.cache.set(DEFAULT_TARGET_ID, { version: 0, target });
    return { id: DEFAULT_TARGET_ID, target };
  }

  private context(id: string) {
    return {
      logger: this.logger.child({ storageTarget: id }),
      clock: this.clock,
      instanceId: id,
      dataDir: path.join(this.dataDir, 'plugins', `storage-${id}`),
      signal: this.signal,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.cache.values()].map((c) => c.target.close().catch(() => undefined)));
    this.cache.clear();
  }
}
