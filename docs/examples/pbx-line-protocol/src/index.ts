import { createRequire } from 'node:module';
import { definePlugin } from '@deskrec/core';
import { LINE_PROTOCOL_CAPABILITIES, LineProtocolSource } from './line-source.js';
import { LineProtocolOptionsSchema } from './options.js';

export { LINE_PROTOCOL_CAPABILITIES, LineProtocolSource } from './line-source.js';
export {
  type LineProtocolOptions,
  type LineProtocolOptionsInput,
  LineProtocolOptionsSchema,
} from './options.js';
export { type ParsedLine, parseLine } from './parse-line.js';

// Read from package.json (one folder up from both src/ and dist/) so the version is written in one place.
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

export default definePlugin({
  id: 'pbx-line-protocol',
  kind: 'call-events',
  version,
  apiVersion: '^1.0.0',
  title: 'Line protocol over TCP (example)',
  options: LineProtocolOptionsSchema,
  capabilities: LINE_PROTOCOL_CAPABILITIES,
  create: (options, context) =>
    new LineProtocolSource(options, { logger: context.logger, clock: context.clock }),
});
