import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { SFTP_SECRETS, SftpStorageOptionsSchema } from './options.js';
import { loadPrivateKey } from './private-key.js';
import { SFTP_CAPABILITIES, SftpStorageTarget } from './sftp-storage-target.js';

export { fingerprintOf } from './fingerprint.js';
export { type SftpStorageOptions, SftpStorageOptionsSchema } from './options.js';
export { SFTP_CAPABILITIES, SftpStorageTarget } from './sftp-storage-target.js';

export default definePlugin({
  id: 'storage-sftp',
  kind: 'storage',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'SFTP server',
  options: SftpStorageOptionsSchema,
  secrets: SFTP_SECRETS,
  capabilities: SFTP_CAPABILITIES,
  create: async (options, context) =>
    new SftpStorageTarget(options, await loadPrivateKey(options.privateKey), context.logger),
});
