import fs from 'node:fs';
import { callEventSourceKit, type ExpectedCallEvent } from '@deskrec/core/testing';
import { EslSource } from '../src/esl-source.js';
import plugin from '../src/index.js';
import { FreeswitchOptionsSchema } from '../src/options.js';
import { type FakeEsl, frameDump, startFakeEsl } from './fake-esl.js';
import { agentLeg, inboundCallFrames, liveCall, trunkLeg } from './traffic.js';

const dump = (name: string) =>
  frameDump(fs.readFileSync(new URL(`./dumps/${name}.txt`, import.meta.url), 'utf8'), 'plain');
const ext = (value: string) => ({ by: 'extension' as const, value });
const started = (callId: string, agent: string, direction: ExpectedCallEvent['direction'], ms: number) =>
  ({ type: 'call.started', callId, agent: ext(agent), direction, at: new Date(ms) }) as const;
const ended = (callId: string, agent: string, ms: number) =>
  ({ type: 'call.ended', callId, agent: ext(agent), at: new Date(ms) }) as const;

const INBOUND = 'a1f0c5d2-1111-4c1e-9a01-000000000001';
const OUTBOUND = 'c3a2e7f4-3333-4c1e-9a01-000000000003';
const TRANSFER = '07e62b38-7777-4c1e-9a01-000000000007';
const INTERNAL = '3a195e6b-aaaa-4c1e-9a01-00000000000a';

const frame = (type: string, body: string) =>
  `Content-Length: ${Buffer.byteLength(body)}\nContent-Type: ${type}\n\n${body}`;

callEventSourceKit<string>({
  name: 'pbx-freeswitch (event socket, plain)',
  capabilities: plugin.capabilities,
  createPeer: () => startFakeEsl({ password: 'ClueCon-test' }),
  createSource: (peer) =>
    new EslSource(
      FreeswitchOptionsSchema.parse({
        host: '127.0.0.1',
        port: (peer as FakeEsl).port,
        password: 'ClueCon-test',
        reconnectMinSeconds: 0.05,
        reconnectMaxSeconds: 0.2,
      }),
    ),
  scenarios: [
    {
      name: 'inbound answered by an agent',
      traffic: dump('inbound-answered'),
      expect: [started(INBOUND, '1001', 'inbound', 1700001004610), ended(INBOUND, '1001', 1700001042130)],
    },
    {
      name: 'agent calls out through a gateway',
      traffic: dump('outbound-bridged'),
      expect: [started(OUTBOUND, '1002', 'outbound', 1700002008005), ended(OUTBOUND, '1002', 1700002103255)],
    },
    { name: 'caller hangs up before the agent answers', traffic: dump('hangup-before-answer'), expect: [] },
    {
      name: 'blind transfer moves the call to another agent',
      traffic: dump('blind-transfer'),
      expect: [
        started(TRANSFER, '1001', 'inbound', 1700004003000),
        ended(TRANSFER, '1001', 1700004031000),
        started(TRANSFER, '1002', 'inbound', 1700004035000),
        ended(TRANSFER, '1002', 1700004095000),
      ],
    },
    {
      name: 'internal call: both legs are agents',
      traffic: dump('internal-call'),
      expect: [
        started(INTERNAL, '1001', 'internal', 1700005002600),
        started(INTERNAL, '1002', 'internal', 1700005002600),
        ended(INTERNAL, '1002', 1700005063600),
        ended(INTERNAL, '1001', 1700005063604),
      ],
    },
  ],
  reconcile: {
    callUp: inboundCallFrames().slice(0, 3).join(''),
    started: [started(trunkLeg.callId, '1001', 'inbound', 1700020005000)],
    endCall: (peer) => {
      (peer as FakeEsl).live = [];
    },
    ended: [{ type: 'call.ended', callId: trunkLeg.callId, agent: ext('1001') }],
    upBeforeConnect: (peer) => {
      (peer as FakeEsl).live = [liveCall(trunkLeg, agentLeg)];
    },
    upBeforeConnectStarted: [
      { type: 'call.started', callId: trunkLeg.callId, agent: ext('1001'), direction: 'inbound' },
    ],
  },
  malformed: [
    { name: 'header line without a colon', traffic: 'this is not ESL\n\n' },
    {
      name: 'Content-Length that is not a number',
      traffic: 'Content-Length: many\nContent-Type: text/event-plain\n\n',
    },
    {
      name: 'plain event without Unique-ID',
      traffic: frame('text/event-plain', 'Event-Name: CHANNEL_BRIDGE\n\n'),
    },
    {
      name: 'unreadable Event-Date-Timestamp',
      traffic: frame(
        'text/event-plain',
        'Event-Name: CHANNEL_ANSWER\nUnique-ID: x-1\nEvent-Date-Timestamp: yesterday\n\n',
      ),
    },
    { name: 'JSON event that is not JSON', traffic: frame('text/event-json', '{"Event-Name": "CHANNEL_') },
    { name: 'event without Event-Name', traffic: frame('text/event-plain', 'Unique-ID: x-2\n\n') },
  ],
});
