import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { LOCAL_CAPABILITIES, LocalStorageTarget } from './local-storage-target.js';
import { LocalStorageOptionsSchema } from './options.js';

export { LocalStorageTarget } from './local-storage-target.js';
export {
  type LocalStorageOptions,
  LocalStorageOptionsSchema,
} from './options.js';

export default definePlugin({
  id: 'storage-local',
  kind: 'storage',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'Local folder',
  options: LocalStorageOptionsSchema,
  capabilities: LOCAL_CAPABILITIES,
  create: (options) => new LocalStorageTarget(options),
});
