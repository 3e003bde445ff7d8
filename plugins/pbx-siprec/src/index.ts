import { definePlugin } from '@deskrec/core';
import pkg from '../package.json' with { type: 'json' };
import { SiprecOptionsSchema } from './options.js';
import { SIPREC_CAPABILITIES, SiprecSource } from './siprec-source.js';

export { ALAW_TABLE, ULAW_TABLE } from './media/g711.js';
export { parseRtp, type RtpPacket } from './media/rtp-packet.js';
export { wavHeader } from './media/wav-file.js';
export { type SiprecOptions, type SiprecOptionsInput, SiprecOptionsSchema } from './options.js';
export { bodyParts } from './session/multipart.js';
export { parseRsMetadata, type RecordingMetadata } from './session/rs-metadata.js';
export { parseSdp } from './session/sdp.js';
export { parseMessage, SipParseError, serialize } from './sip/message.js';
export { TcpFramer } from './sip/tcp-framer.js';
export { SIPREC_CAPABILITIES, SiprecSource } from './siprec-source.js';

export default definePlugin({
  id: 'pbx-siprec',
  kind: 'call-events',
  version: pkg.version,
  apiVersion: '^1.0.0',
  title: 'SIPREC recording server (call audio and call events from SBCs and PBXs)',
  options: SiprecOptionsSchema,
  capabilities: SIPREC_CAPABILITIES,
  create: (options, context) =>
    new SiprecSource(options, { clock: context.clock, logger: context.logger, dataDir: context.dataDir }),
});
