import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { EslSource, FREESWITCH_CAPABILITIES } from './esl-source.js';
import { FreeswitchOptionsSchema } from './options.js';

export { CallTracker, type LiveCallRow } from './call-tracker.js';
export { type CallcenterAction, callcenterAction } from './callcenter.js';
export { decodeEvent, type EslFrame, EslParser } from './esl-parser.js';
export { EslSource, FREESWITCH_CAPABILITIES, parseLiveCalls } from './esl-source.js';
export { type FreeswitchOptions, type FreeswitchOptionsInput, FreeswitchOptionsSchema } from './options.js';

export default definePlugin({
  id: 'pbx-freeswitch',
  kind: 'call-events',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'FreeSWITCH (event socket)',
  options: FreeswitchOptionsSchema,
  secrets: ['password'],
  capabilities: FREESWITCH_CAPABILITIES,
  create: (options, context) => new EslSource(options, { logger: context.logger, clock: context.clock }),
});
