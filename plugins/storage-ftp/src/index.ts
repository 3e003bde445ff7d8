import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { FTP_CAPABILITIES, FtpStorageTarget } from './ftp-storage-target.js';
import { FtpStorageOptionsSchema } from './options.js';

export { FTP_CAPABILITIES, FtpStorageTarget } from './ftp-storage-target.js';
export { type FtpStorageInput, type FtpStorageOptions, FtpStorageOptionsSchema } from './options.js';

export default definePlugin({
  id: 'storage-ftp',
  kind: 'storage',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'FTP / FTPS server',
  options: FtpStorageOptionsSchema,
  secrets: ['password'],
  capabilities: FTP_CAPABILITIES,
  create: (options) => new FtpStorageTarget(options),
});
