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

const headerList = z.array(z.string().min(1)).min(1);

export const FreeswitchOptionsSchema = z.object({
  host: z.string().min(1).describe('Host name or IP address of the FreeSWITCH server'),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(8021)
    .describe('Event socket port (event_socket.conf.xml `listen-port`)'),
  password: z.string().min(1).describe('Event socket password (event_socket.conf.xml `password`)'),
  format: z
    .enum(['plain', 'json'])
    .default('plain')
    .describe('Event encoding to subscribe with: `plain` (URL-encoded headers) or `json`'),
  startOn: z
    .enum(['bridge', 'answer'])
    .default('bridge')
    .describe(
      'When an agent counts as on the call: once their leg is bridged to another party, or once it is answered',
    ),
  callerLegHeaders: headerList
    .default(['variable_sip_from_user', 'Caller-Username'])
    .describe(
      'Headers tried in order for the agent’s extension on a leg the agent placed (Call-Direction inbound)',
    ),
  calleeLegHeaders: headerList
    .default(['variable_dialed_user', 'Caller-Destination-Number'])
    .describe(
      'Headers tried in order for the agent’s extension on a leg that rang the agent (Call-Direction outbound)',
    ),
  agentExtensionPattern: regex('agentExtensionPattern')
    .default('^\\d+$')
    .describe('A leg is an agent’s only when the extension found matches this'),
  trunkChannelPatterns: z
    .array(regex('trunkChannelPatterns'))
    .default(['^sofia/gateway/', '^sofia/external/'])
    .describe(
      'Regexes for Channel-Name values of trunk legs: never agents, and they decide the call direction',
    ),
  pingIntervalSeconds: z
    .number()
    .positive()
    .default(20)
    .describe('Send `api version` this often to detect a dead connection'),
  pingTimeoutSeconds: z
    .number()
    .positive()
    .default(10)
    .describe('Reconnect when no reply to a command (or to the greeting) arrives within this time'),
  callcenterEvents: z
    .boolean()
    .default(true)
    .describe(
      'Also subscribe to mod_callcenter agent events (`CUSTOM callcenter::info`): bridge-agent-start/end and agent-state-change find the agent of a queue call',
    ),
  recordingEvents: z
    .boolean()
    .default(true)
    .describe(
      'Also subscribe to RECORD_START/RECORD_STOP: the `Record-File-Path` of a record_session or uuid_record is reported on `call.ended` for the host to fetch',
    ),
  recordingVariables: z
    .array(z.string().min(1).max(80))
    .default([])
    .describe(
      'Channel variables (without `variable_`) holding the call’s recording file, e.g. one the dialplan sets with `set` and passes to `record_session`',
    ),
  reconcileIntervalSeconds: z
    .number()
    .min(0)
    .default(60)
    .describe(
      'Also compare the tracked calls with `show calls as json` this often (besides every reconnect); 0 turns the periodic check off',
    ),
  reconnectMinSeconds: z.number().positive().default(1).describe('First wait before reconnecting'),
  reconnectMaxSeconds: z
    .number()
    .positive()
    .default(30)
    .describe('Longest wait between reconnect attempts (the wait doubles each failure, with jitter)'),
});

export type FreeswitchOptions = z.output<typeof FreeswitchOptionsSchema>;
export type FreeswitchOptionsInput = z.input<typeof FreeswitchOptionsSchema>;
