import { createRequire } from 'node:module';
import { definePlugin } from '@deskrec/core';
import { CAPABILITIES, JsonHookSource } from './json-hook-source.js';
import { OptionsSchema } from './options.js';

export { CAPABILITIES, JsonHookSource } from './json-hook-source.js';
export { type Options, type OptionsInput, OptionsSchema } from './options.js';

// Read from package.json (one folder up from both src/ and dist/) so the version is written in one place.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export default definePlugin({
  id: '__PLUGIN_ID__',
  kind: 'call-events',
  version,
  apiVersion: '__API_RANGE__',
  title: '__TITLE__',
  options: OptionsSchema,
  secrets: ['secret'],
  capabilities: CAPABILITIES,
  create: (options, context) => new JsonHookSource(options, context),
});
