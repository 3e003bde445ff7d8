import fs from 'node:fs/promises';
import path from 'node:path';
import { storageTargetKit } from '@deskrec/core/testing';
import { suite } from 'uvu';
import plugin from '../src/index.js';
import { testCertificate } from './support/certificate.js';
import { createTarget } from './support/targets.js';
import { startVsftpd } from './support/vsftpd.js';

// Debian's vsftpd is a system peer: it runs only with DESKREC_TEST_SYSTEM=1 (npm run test:system).
if (process.env.DESKREC_TEST_SYSTEM === '1') {
  const certificate = await testCertificate();
  const server = await startVsftpd(certificate);
  let runs = 0;
  // A relative root starts at the login folder (the user's home), which exercises that resolution too.
  const common = {
    host: '127.0.0.1',
    port: server.port,
    user: server.user,
    password: server.password,
  };
  const cleanup = async () => {
    await fs.rm(path.join(server.home, `kit-${runs}`), { recursive: true, force: true });
  };

  storageTargetKit({
    name: 'storage-ftp (vsftpd, plain FTP)',
    capabilities: plugin.capabilities,
    create: async () => createTarget({ ...common, secure: 'none', root: `kit-${++runs}` }),
    cleanup,
  });
  storageTargetKit({
    name: 'storage-ftp (vsftpd, explicit FTPS)',
    capabilities: plugin.capabilities,
    create: async () =>
      createTarget({ ...common, secure: 'explicit', ca: certificate.cert, root: `kit-${++runs}` }),
    cleanup,
  });

  process.once('beforeExit', () => {
    void server.stop();
  });
} else {
  const skipped = suite('storage-ftp (vsftpd)');
  skipped.skip('runs with DESKREC_TEST_SYSTEM=1 against Debian vsftpd', () => {});
  skipped.run();
}
