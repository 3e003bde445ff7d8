import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { storageTargetKit } from '@deskrec/core/testing';
import plugin from '../src/index.js';
import { startSftpServer } from './support/sftp-server.js';
import { createTarget } from './support/targets.js';

const base = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-sftp-kit-'));
const server = await startSftpServer({ base, username: 'rec', password: 'kit-password' });
let roots = 0;

storageTargetKit({
  name: 'storage-sftp (ssh2 test server)',
  capabilities: plugin.capabilities,
  async create() {
    const root = `/kit-${++roots}`;
    return createTarget({
      host: '127.0.0.1',
      port: server.port,
      username: 'rec',
      password: 'kit-password',
      hostKeyFingerprint: server.fingerprint,
      root,
    });
  },
  async cleanup() {
    await fs.rm(path.join(base, `kit-${roots}`), { recursive: true, force: true });
  },
});

// uvu runs the kit's suite asynchronously; stop the server when the process is about to exit.
process.once('beforeExit', () => {
  void server.close().then(() => fs.rm(base, { recursive: true, force: true }));
});
