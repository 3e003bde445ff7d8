import { createRequire } from 'node:module';
import { definePlugin } from '@deskrec/core';
import { WebDavOptionsSchema } from './options.js';
import { WEBDAV_CAPABILITIES, WebDavTarget } from './webdav-target.js';

export { type DavEntry, parseMultistatus } from './multistatus.js';
export { type WebDavOptions, type WebDavOptionsInput, WebDavOptionsSchema } from './options.js';
export { WEBDAV_CAPABILITIES, WebDavTarget } from './webdav-target.js';

// Read from package.json (one folder up from both src/ and dist/) so the version is written in one place.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export default definePlugin({
  id: 'storage-webdav',
  kind: 'storage',
  version,
  apiVersion: '^1.0.0',
  title: 'WebDAV server (example)',
  options: WebDavOptionsSchema,
  secrets: ['password'],
  capabilities: WEBDAV_CAPABILITIES,
  create: (options) => new WebDavTarget(options),
});
