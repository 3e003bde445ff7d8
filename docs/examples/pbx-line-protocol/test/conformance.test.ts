import { callEventSourceKit } from '@deskrec/core/testing';
import plugin, { LineProtocolOptionsSchema, LineProtocolSource } from '../src/index.js';
import { type FakePbx, startFakePbx } from './fake-pbx.js';

const ext = (value: string) => ({ by: 'extension' as const, value });

callEventSourceKit<string>({
  name: 'pbx-line-protocol (TCP)',
  capabilities: plugin.capabilities,
  createPeer: startFakePbx,
  createSource: (peer) =>
    new LineProtocolSource(
      LineProtocolOptionsSchema.parse({
        host: '127.0.0.1',
        port: (peer as FakePbx).port,
        reconnectMinSeconds: 0.05,
        reconnectMaxSeconds: 0.2,
      }),
    ),
  scenarios: [
    {
      name: 'inbound call',
      traffic:
        '2026-01-05T10:00:00Z START call-42 1001 inbound +15551234\n2026-01-05T10:03:20Z END call-42 1001 hangup\n',
      expect: [
        {
          type: 'call.started',
          callId: 'call-42',
          agent: ext('1001'),
          direction: 'inbound',
          at: '2026-01-05T10:00:00Z',
        },
        { type: 'call.ended', callId: 'call-42', agent: ext('1001'), at: '2026-01-05T10:03:20Z' },
      ],
    },
    {
      name: 'outbound call with CRLF line ends',
      traffic:
        '2026-01-05T11:00:00.250+01:00 START call-43 1002 outbound +15559876\r\n2026-01-05T11:01:00+01:00 END call-43 1002\r\n',
      expect: [
        {
          type: 'call.started',
          callId: 'call-43',
          agent: ext('1002'),
          direction: 'outbound',
          at: '2026-01-05T10:00:00.250Z',
        },
        { type: 'call.ended', callId: 'call-43', agent: ext('1002'), at: '2026-01-05T10:01:00Z' },
      ],
    },
    {
      name: 'transfer: one agent ends, another starts on the same call',
      traffic: [
        '2026-01-05T12:00:00Z START call-44 1001 inbound +15550001',
        '2026-01-05T12:01:00Z END call-44 1001 transfer',
        '2026-01-05T12:01:02Z START call-44 1003 inbound +15550001',
        '2026-01-05T12:05:00Z END call-44 1003',
        '',
      ].join('\n'),
      expect: [
        { type: 'call.started', callId: 'call-44', agent: ext('1001') },
        { type: 'call.ended', callId: 'call-44', agent: ext('1001') },
        { type: 'call.started', callId: 'call-44', agent: ext('1003') },
        { type: 'call.ended', callId: 'call-44', agent: ext('1003') },
      ],
    },
    { name: 'blank lines carry no events', traffic: '\n\r\n  \n', expect: [] },
  ],
  malformed: [
    { name: 'not a call event', traffic: 'hello there\n' },
    { name: 'unknown verb', traffic: '2026-01-05T10:00:00Z RING call-45 1001\n' },
    { name: 'time without a zone', traffic: '2026-01-05T10:00:00 START call-46 1001 inbound\n' },
    { name: 'START without direction', traffic: '2026-01-05T10:00:00Z START call-47 1001\n' },
    { name: 'overlong line', traffic: `2026-01-05T10:00:00Z START ${'x'.repeat(5000)} 1001 inbound\n` },
  ],
});
