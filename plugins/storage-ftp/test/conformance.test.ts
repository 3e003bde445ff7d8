import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { storageTargetKit } from '@deskrec/core/testing';
import plugin from '../src/index.js';
import { testCertificate } from './support/certificate.js';
import { startFtpServer } from './support/ftp-server.js';
import { createTarget } from './support/targets.js';

const certificate = await testCertificate();
const base = await fs.mkdtemp(path.join(os.tmpdir(), 'deskrec-ftp-kit-'));
const plainRoot = path.join(base, 'plain');
const tlsRoot = path.join(base, 'tls');
await fs.mkdir(plainRoot);
await fs.mkdir(tlsRoot);
const plain = await startFtpServer({ root: plainRoot });
const explicit = await startFtpServer({ root: tlsRoot, tls: certificate });
let runs = 0;

storageTargetKit({
  name: 'storage-ftp (ftp-srv, plain FTP)',
  capabilities: plugin.capabilities,
  async create() {
    return createTarget({
      host: '127.0.0.1',
      port: plain.port,
      user: plain.user,
      password: plain.password,
      secure: 'none',
      root: `/kit-${++runs}`,
    });
  },
  async cleanup() {
    await fs.rm(path.join(plainRoot, `kit-${runs}`), { recursive: true, force: true });
  },
});

storageTargetKit({
  name: 'storage-ftp (ftp-srv, explicit FTPS)',
  capabilities: plugin.capabilities,
  async create() {
    return createTarget({
      host: '127.0.0.1',
      port: explicit.port,
      user: explicit.user,
      password: explicit.password,
      secure: 'explicit',
      ca: certificate.cert,
      root: `/kit-${++runs}`,
    });
  },
  async cleanup() {
    await fs.rm(path.join(tlsRoot, `kit-${runs}`), { recursive: true, force: true });
  },
});

// uvu runs the suites after this module is evaluated; stop the servers once the process has nothing left.
process.once('beforeExit', () => {
  void Promise.all([plain.stop(), explicit.stop()]).then(() => fs.rm(base, { recursive: true, force: true }));
});
