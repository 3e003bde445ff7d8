import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The workspace's node_modules: a package written there resolves from @deskrec/core's loader exactly as a
 * plugin installed with npm does (the loader imports by package name).
 */
const nodeModules = fileURLToPath(new URL('../../../node_modules/', import.meta.url));

/**
 * A third-party storage plugin package in plain JavaScript, as an author outside the repository ships it:
 * the in-memory reference target wrapped in definePlugin. Objects live in one module-level map per
 * `bucket` option, so every instance the host creates (Test connection, store jobs, playback) sees them.
 * `rangeRead: false` makes a target that honestly cannot read ranges (it refuses them, as the kit demands).
 */
function source(id: string, capabilities: { rangeRead: boolean; conditionalCreate: boolean }): string {
  return `import { definePlugin, StorageError, CORE_API_VERSION } from '@deskrec/core';
import { MemoryStorageTarget } from '@deskrec/core/testing';
import { z } from 'zod';

const capabilities = Object.freeze({ atomicRename: true, serverChecksum: false, ...${JSON.stringify(capabilities)} });
const buckets = new Map();
export const bucket = (name) => buckets.get(name);

class Target {
  capabilities = capabilities;
  constructor(inner) { this.inner = inner; }
  put(key, body, options) {
    if (options?.ifNotExists && !capabilities.conditionalCreate)
      return Promise.reject(new StorageError('unsupported', 'no conditional create'));
    return this.inner.put(key, body, options);
  }
  get(key, options) {
    if (options?.range && !capabilities.rangeRead)
      return Promise.reject(new StorageError('unsupported', 'this target reads whole objects only'));
    return this.inner.get(key, options);
  }
  stat(key) { return this.inner.stat(key); }
  delete(key) { return this.inner.delete(key); }
  list(prefix) { return this.inner.list(prefix); }
  check() { return this.inner.check(); }
  async close() {}
}

export default definePlugin({
  id: '${id}',
  kind: 'storage',
  version: '1.0.0',
  apiVersion: '^' + CORE_API_VERSION,
  title: 'Test memory storage (${id})',
  options: z.object({ bucket: z.string().min(1).describe('Which in-memory bucket to use') }).strict(),
  capabilities,
  create(options) {
    if (!buckets.has(options.bucket)) buckets.set(options.bucket, new MemoryStorageTarget());
    return new Target(buckets.get(options.bucket));
  },
});
`;
}

export interface PluginPackage {
  /** The package name, e.g. `@acme-test/deskrec-storage-memory`. */
  name: string;
  remove(): Promise<void>;
}

/** Writes a storage plugin package into node_modules under `name` (scoped or not). */
export async function writeStoragePackage(
  name: string,
  capabilities: { rangeRead: boolean; conditionalCreate: boolean },
): Promise<PluginPackage> {
  const dir = path.join(nodeModules, ...name.split('/'));
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', type: 'module', exports: { '.': './index.js' } }),
  );
  await fs.writeFile(path.join(dir, 'index.js'), source(name.replace(/^@[^/]+\//, ''), capabilities));
  return {
    name,
    async remove() {
      await fs.rm(dir, { recursive: true, force: true });
      if (name.startsWith('@')) await fs.rmdir(path.dirname(dir)).catch(() => undefined);
    },
  };
}
