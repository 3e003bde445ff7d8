import { type CallEventPeer, callEventSourceKit } from '@deskrec/core/testing';
import plugin, { JsonHookSource, OptionsSchema } from '../src/index.js';

const SECRET = 'test-secret-0123456789abcdef0123456789';

/** One POST as the phone system makes it. */
interface Delivery {
  body: unknown;
  secret?: string;
}

/** The phone system's side: hands each request to the source, as the host does under /hooks/<id>. */
interface HookPeer extends CallEventPeer<Delivery> {
  source?: JsonHookSource;
}

const createPeer = async (): Promise<HookPeer> => {
  const peer: HookPeer = {
    nextSession: async () => {},
    async send({ body, secret = SECRET }) {
      const response = await peer.source?.handleHttp(
        new Request('http://127.0.0.1/hooks/test', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-deskrec-secret': secret },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
      );
      await response?.body?.cancel();
    },
    close: async () => {},
  };
  return peer;
};

const agent = (value: string) => ({ by: 'extension' as const, value });

callEventSourceKit<Delivery>({
  name: '__PACKAGE_NAME__',
  capabilities: plugin.capabilities,
  createPeer,
  createSource(peer) {
    const source = new JsonHookSource(OptionsSchema.parse({ secret: SECRET }));
    (peer as HookPeer).source = source;
    return source;
  },
  scenarios: [
    {
      name: 'inbound call answered and hung up',
      traffic: {
        body: [
          {
            type: 'call.started',
            callId: 'c-1',
            at: '2026-01-05T10:00:00Z',
            direction: 'inbound',
            agent: agent('1001'),
          },
          {
            type: 'call.ended',
            callId: 'c-1',
            at: '2026-01-05T10:03:20Z',
            direction: 'inbound',
            agent: agent('1001'),
          },
        ],
      },
      expect: [
        {
          type: 'call.started',
          callId: 'c-1',
          agent: agent('1001'),
          direction: 'inbound',
          at: '2026-01-05T10:00:00Z',
        },
        { type: 'call.ended', callId: 'c-1', agent: agent('1001'), at: '2026-01-05T10:03:20Z' },
      ],
    },
    {
      name: 'transfer: one agent ends, another starts on the same call',
      traffic: {
        body: [
          { type: 'call.started', callId: 'c-2', at: '2026-01-05T11:00:00Z', agent: agent('1001') },
          { type: 'call.ended', callId: 'c-2', at: '2026-01-05T11:01:00Z', agent: agent('1001') },
          { type: 'call.started', callId: 'c-2', at: '2026-01-05T11:01:02Z', agent: agent('1002') },
        ],
      },
      expect: [
        { type: 'call.started', callId: 'c-2', agent: agent('1001') },
        { type: 'call.ended', callId: 'c-2', agent: agent('1001') },
        { type: 'call.started', callId: 'c-2', agent: agent('1002') },
      ],
    },
  ],
  malformed: [
    { name: 'not JSON', traffic: { body: '{"type": "call.started",' } },
    {
      name: 'unknown event type',
      traffic: { body: { type: 'call.ringing', callId: 'x', at: 0, agent: agent('1') } },
    },
    {
      name: 'wrong secret',
      traffic: { body: { type: 'call.started', callId: 'x', at: 0, agent: agent('1') }, secret: 'wrong' },
    },
  ],
});
