import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { AmiSource, ASTERISK_CAPABILITIES } from './ami-source.js';
import { AsteriskOptionsSchema } from './options.js';

export { type AmiMessage, AmiParser, amiAction } from './ami-parser.js';
export { AmiSource, ASTERISK_CAPABILITIES } from './ami-source.js';
export { CallTracker, type LiveChannel } from './call-tracker.js';
export { type AsteriskOptions, type AsteriskOptionsInput, AsteriskOptionsSchema } from './options.js';

export default definePlugin({
  id: 'pbx-asterisk',
  kind: 'call-events',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'Asterisk (AMI)',
  options: AsteriskOptionsSchema,
  secrets: ['secret'],
  capabilities: ASTERISK_CAPABILITIES,
  create: (options, context) => new AmiSource(options, { logger: context.logger, clock: context.clock }),
});
