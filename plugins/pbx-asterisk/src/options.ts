import { z } from 'zod';

const regex = (what: string) =>
  z.string().refine(
    (pattern) => {
      try {
        new RegExp(pattern);
        return true;
      } catch {
        return false;
      }
    },
    { message: `${what} is not a valid regular expression` },
  );

export const AsteriskOptionsSchema = z.object({
  host: z.string().min(1).describe('Host name or IP address of the Asterisk server'),
  port: z.number().int().min(1).max(65535).default(5038).describe('AMI TCP port (manager.conf `port`)'),
  username: z
    .string()
    .min(1)
    .describe(
      'AMI user (a `[section]` in manager.conf; needs `read = call,system` and `write = reporting` for CoreShowChannels)',
    ),
  secret: z.string().min(1).describe('Password of the AMI user (manager.conf `secret`)'),
  eventMask: z
    .string()
    .min(1)
    .default('call,system')
    .describe(
      '`Events:` class mask sent with Login; `call` carries Newchannel, BridgeEnter/Leave and Hangup, `system` FullyBooted and Shutdown',
    ),
  serverFilter: z
    .boolean()
    .default(false)
    .describe(
      'Also send `Action: Filter` so Asterisk only sends the events used (needs `write = system` on the AMI user)',
    ),
  agentTechnologies: z
    .array(z.string().min(1))
    .min(1)
    .default(['PJSIP', 'SIP', 'IAX2'])
    .describe('Channel technologies whose channels can be agents (Local channels never are)'),
  agentExtensionPattern: regex('agentExtensionPattern')
    .default('^\\d+$')
    .describe('An agent channel’s extension (the peer name in `PJSIP/1001-00000001`) must match this'),
  agentContexts: z
    .array(z.string().min(1))
    .optional()
    .describe('When set, only channels in one of these dialplan contexts count as agents'),
  agentIdentity: z
    .enum(['channel', 'caller-id'])
    .default('channel')
    .describe('Take the agent’s extension from the channel name or from the channel’s CallerIDNum'),
  trunkChannelPatterns: z
    .array(regex('trunkChannelPatterns'))
    .optional()
    .describe(
      'Regexes for trunk channel names (direction detection). Unset: any non-Local channel that is not an agent is a trunk',
    ),
  legacyMode: z
    .boolean()
    .default(false)
    .describe(
      'Asterisk 11 and older (AMI 1.x): map the legacy Dial, LocalBridge, Rename, Bridge/Link and Hangup events (ADR 0009). Off: such a server is reported in health and the log',
    ),
  recordingVariables: z
    .array(z.string().min(1).max(80))
    .default(['MIXMONITOR_FILENAME'])
    .describe(
      'Channel variables holding the call’s recording file, reported on `call.ended` for the host to fetch: read from `VarSet` (add `dialplan` to eventMask) and from `ChanVariable` headers (manager.conf `channelvars`); MixMonitor sets MIXMONITOR_FILENAME',
    ),
  recordingHeaders: z
    .array(z.string().min(1).max(80))
    .default([])
    .describe(
      'Headers of a dialplan `UserEvent` that name the recording file, e.g. `MonFile` for `UserEvent(CallMonitor,MonFile: /var/spool/asterisk/monitor/x.wav)` (add `user` to eventMask)',
    ),
  pingIntervalSeconds: z
    .number()
    .positive()
    .default(20)
    .describe('Send `Action: Ping` this often to detect a dead connection'),
  pingTimeoutSeconds: z
    .number()
    .positive()
    .default(10)
    .describe('Reconnect when no answer to a Ping (or the login) arrives within this time'),
  reconcileIntervalSeconds: z
    .number()
    .min(0)
    .default(60)
    .describe(
      'Also compare the tracked calls with `CoreShowChannels` this often (besides every reconnect and FullyBooted); 0 turns the periodic check off',
    ),
  reconnectMinSeconds: z.number().positive().default(1).describe('First wait before reconnecting'),
  reconnectMaxSeconds: z
    .number()
    .positive()
    .default(30)
    .describe('Longest wait between reconnect attempts (the wait doubles each failure, with jitter)'),
});

export type AsteriskOptions = z.output<typeof AsteriskOptionsSchema>;
export type AsteriskOptionsInput = z.input<typeof AsteriskOptionsSchema>;
