import { createRequire } from 'node:module';
import { definePlugin } from '@deskrec/core';
import { OptionsSchema } from './options.js';
import { CAPABILITIES, ScreenCapture } from './screen-capture.js';

export { type Options, type OptionsInput, OptionsSchema } from './options.js';
export { CAPABILITIES, ScreenCapture } from './screen-capture.js';

// Read from package.json (one folder up from both src/ and dist/) so the version is written in one place.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export default definePlugin({
  id: '__PLUGIN_ID__',
  kind: 'capture',
  version,
  apiVersion: '__API_RANGE__',
  title: '__TITLE__',
  options: OptionsSchema,
  capabilities: CAPABILITIES,
  create: (options, context) => ScreenCapture.create(options, context),
});
