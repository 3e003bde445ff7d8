import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { storageTargetKit } from '@deskrec/core/testing';
import plugin from '../src/index.js';
import { LocalStorageTarget } from '../src/local-storage-target.js';

storageTargetKit({
  name: 'storage-local',
  capabilities: plugin.capabilities,
  async create() {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-local-'));
    return new LocalStorageTarget({ root, fsync: true });
  },
  async cleanup(target) {
    await fs.rm((target as LocalStorageTarget).root, {
      recursive: true,
      force: true,
    });
  },
});
