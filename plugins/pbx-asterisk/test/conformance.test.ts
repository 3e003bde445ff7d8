import fs from 'node:fs';
import { callEventSourceKit, type ExpectedCallEvent } from '@deskrec/core/testing';
import { AmiSource } from '../src/ami-source.js';
import plugin from '../src/index.js';
import { AsteriskOptionsSchema } from '../src/options.js';
import { type FakeAmi, startFakeAmi, toCrlf } from './fake-ami.js';
import { agent1001, inboundCallMessages, liveRow, trunk } from './traffic.js';

const transcript = (name: string) =>
  toCrlf(fs.readFileSync(new URL(`./transcripts/${name}.txt`, import.meta.url), 'utf8'));
const at = (seconds: number) => new Date(Math.round(seconds * 1000));
const ext = (value: string) => ({ by: 'extension' as const, value });
const started = (callId: string, agent: string, direction: ExpectedCallEvent['direction'], time: number) =>
  ({ type: 'call.started', callId, agent: ext(agent), direction, at: at(time) }) as const;
const ended = (callId: string, agent: string, time: number) =>
  ({ type: 'call.ended', callId, agent: ext(agent), at: at(time) }) as const;

callEventSourceKit<string>({
  name: 'pbx-asterisk (AMI over TCP)',
  capabilities: plugin.capabilities,
  createPeer: () => startFakeAmi({ username: 'deskrec', secret: 's3cret-ami' }),
  createSource: (peer) =>
    new AmiSource(
      AsteriskOptionsSchema.parse({
        host: '127.0.0.1',
        port: (peer as FakeAmi).port,
        username: 'deskrec',
        secret: 's3cret-ami',
        reconnectMinSeconds: 0.05,
        reconnectMaxSeconds: 0.2,
      }),
    ),
  scenarios: [
    {
      name: 'inbound answered, caller hangs up',
      traffic: transcript('inbound-answered'),
      expect: [
        started('1700000100.1', '1001', 'inbound', 1700000103.251),
        ended('1700000100.1', '1001', 1700000145.271),
      ],
    },
    {
      name: 'outbound answered, agent hangs up',
      traffic: transcript('outbound-answered'),
      expect: [
        started('1700000200.3', '1002', 'outbound', 1700000207.252),
        ended('1700000200.3', '1002', 1700000302.752),
      ],
    },
    {
      name: 'queue call through Local channels, one member answers',
      traffic: transcript('queue-answered'),
      expect: [
        // The agent waits alone in the bridge for 3 ms: the call starts when the caller's side joins.
        started('1700000300.5', '1003', 'inbound', 1700000321.003),
        ended('1700000300.5', '1003', 1700000501.763),
      ],
    },
    {
      name: 'blind transfer moves the call to another agent',
      traffic: transcript('blind-transfer'),
      expect: [
        started('1700000400.9', '1001', 'inbound', 1700000402),
        ended('1700000400.9', '1001', 1700000432),
        started('1700000400.9', '1002', 'inbound', 1700000436),
        ended('1700000400.9', '1002', 1700000496),
      ],
    },
    {
      name: 'hold and resume do not end the call',
      traffic: transcript('hold-resume'),
      expect: [
        started('1700000500.12', '1001', 'inbound', 1700000505),
        ended('1700000500.12', '1001', 1700000582),
      ],
    },
    {
      name: 'caller hangs up before the agent answers',
      traffic: transcript('caller-hangs-up-before-answer'),
      expect: [],
    },
    {
      name: 'internal call: both parties are agents',
      traffic: transcript('internal-call'),
      expect: [
        started('1700000700.16', '1002', 'internal', 1700000703),
        started('1700000700.16', '1001', 'internal', 1700000703),
        ended('1700000700.16', '1002', 1700000764),
        ended('1700000700.16', '1001', 1700000764.004),
      ],
    },
  ],
  reconcile: {
    callUp: inboundCallMessages().slice(0, 4).join(''),
    started: [started('1700009000.1', '1001', 'inbound', 1700009005.5)],
    endCall: (peer) => {
      (peer as FakeAmi).live = [];
    },
    ended: [{ type: 'call.ended', callId: '1700009000.1', agent: ext('1001') }],
    upBeforeConnect: (peer) => {
      (peer as FakeAmi).live = [liveRow(trunk, 'br-1'), liveRow(agent1001, 'br-1')];
    },
    upBeforeConnectStarted: [
      { type: 'call.started', callId: '1700009000.1', agent: ext('1001'), direction: 'inbound' },
    ],
  },
  malformed: [
    { name: 'a line that is not a header', traffic: 'this is not AMI at all\r\n\r\n' },
    {
      name: 'BridgeEnter without Linkedid',
      traffic: 'Event: BridgeEnter\r\nChannel: PJSIP/1001-00000099\r\nUniqueid: 1.99\r\n\r\n',
    },
    {
      name: 'unreadable Timestamp',
      traffic:
        'Event: BridgeEnter\r\nTimestamp: yesterday\r\nChannel: PJSIP/1001-00000098\r\nUniqueid: 1.98\r\nLinkedid: 1.98\r\n\r\n',
    },
    { name: 'oversized line', traffic: `Event: ${'X'.repeat(20_000)}\r\n\r\n` },
  ],
});
