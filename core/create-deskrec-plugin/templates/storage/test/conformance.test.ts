import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storageTargetKit } from '@deskrec/core/testing';
import plugin, { FolderTarget, OptionsSchema } from '../src/index.js';

const roots = new WeakMap<object, string>();

storageTargetKit({
  capabilities: plugin.capabilities,
  name: '__PACKAGE_NAME__',
  async create() {
    const root = await mkdtemp(join(tmpdir(), '__PLUGIN_ID__-'));
    const target = new FolderTarget(OptionsSchema.parse({ root }));
    roots.set(target, root);
    return target;
  },
  async cleanup(target) {
    const root = roots.get(target);
    if (root) await rm(root, { recursive: true, force: true });
  },
});
