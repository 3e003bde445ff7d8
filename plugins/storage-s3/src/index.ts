import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { S3_SECRETS, S3StorageOptionsSchema } from './options.js';
import { S3StorageTarget, s3Capabilities } from './s3-storage-target.js';

export { toStorageError } from './errors.js';
export {
  type S3StorageInput,
  type S3StorageOptions,
  S3StorageOptionsSchema,
} from './options.js';
export { S3StorageTarget, s3Capabilities } from './s3-storage-target.js';

export default definePlugin({
  id: 'storage-s3',
  kind: 'storage',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'Amazon S3 or an S3-compatible service',
  options: S3StorageOptionsSchema,
  secrets: S3_SECRETS,
  // With the default options (Amazon S3). An instance declares what its own options allow.
  capabilities: s3Capabilities({ checksum: true, conditionalCreate: true }),
  create: (options) => new S3StorageTarget(options),
});
