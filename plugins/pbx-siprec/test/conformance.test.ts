import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, systemClock } from '@deskrec/core';
import { type CallEventPeer, callEventSourceKit } from '@deskrec/core/testing';
import plugin, { SiprecOptionsSchema, SiprecSource } from '../src/index.js';
import { rtpRange } from './helpers/recorder.js';
import { bye, type CallSpec, invite, SipConnection, sendRtp } from './helpers/siprec-client.js';

/** What the test SRC sends: a whole recorded call over TCP, or raw bytes the recorder must refuse. */
type Traffic = { call: CallSpec } | { raw: string };

interface SrcPeer extends CallEventPeer<Traffic> {
  attach(source: SiprecSource): void;
}

async function createPeer(): Promise<SrcPeer> {
  let source: SiprecSource | undefined;
  return {
    attach(s) {
      source = s;
    },
    nextSession: async () => {},
    async send(traffic) {
      const port = source?.ports.tcp;
      if (!port) throw new Error('the recorder is not listening');
      const c = await SipConnection.open('tcp', port);
      try {
        if ('raw' in traffic) {
          c.send(traffic.raw);
          // A 400 comes back, or the connection is closed when the framing is lost.
          await c.next((m) => (m.status ?? 0) >= 400, 2000, 'an error answer').catch(() => undefined);
          return;
        }
        const d = await invite(c, traffic.call);
        await sendRtp([
          { port: d.rtpPorts[0] as number, codec: 'PCMU', frequency: 440, packets: 10 },
          { port: d.rtpPorts[1] as number, codec: 'PCMA', frequency: 1050, packets: 10 },
        ]);
        await bye(c, d);
      } finally {
        await c.close();
      }
    },
    close: async () => {},
  };
}

const dirs: string[] = [];
const agent = (value: string) => ({ by: 'extension' as const, value });
const call = (sessionId: string, ext: string, otherFirst = false): Traffic => ({
  call: {
    sessionId,
    agent: { aor: `sip:${ext}@pbx.example.com`, name: 'Agent' },
    other: { aor: 'sip:+15550001111@carrier.example' },
    otherFirst,
  },
});
const invite400 = (body: string) =>
  [
    'INVITE sip:srs@127.0.0.1 SIP/2.0',
    'Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKbad1',
    'From: <sip:src@127.0.0.1>;tag=bad',
    'To: <sip:srs@127.0.0.1>',
    'Call-ID: bad-1@src',
    'CSeq: 1 INVITE',
    'Content-Type: application/sdp',
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');

callEventSourceKit<Traffic>({
  name: 'pbx-siprec (SIPREC over loopback TCP, RTP over UDP)',
  capabilities: plugin.capabilities,
  createPeer,
  async createSource(peer) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'siprec-kit-'));
    dirs.push(dir);
    const source = new SiprecSource(
      SiprecOptionsSchema.parse({
        host: '127.0.0.1',
        port: 0,
        udp: false,
        ...rtpRange(),
        recordingsDir: dir,
      }),
      { clock: systemClock, logger: silentLogger, dataDir: dir },
    );
    (peer as SrcPeer).attach(source);
    return source;
  },
  scenarios: [
    {
      name: 'recorded call: INVITE with SDP and rs-metadata, RTP, BYE',
      traffic: call('5f6c3a2e-1111-4c1e-9d5a-000000000001', '1001'),
      expect: [
        {
          type: 'call.started',
          callId: '5f6c3a2e-1111-4c1e-9d5a-000000000001',
          agent: agent('1001'),
          at: '2026-12-01T10:00:00Z',
        },
        { type: 'call.ended', callId: '5f6c3a2e-1111-4c1e-9d5a-000000000001', agent: agent('1001') },
      ],
    },
    {
      name: 'agent listed second in the metadata',
      traffic: call('5f6c3a2e-2222-4c1e-9d5a-000000000002', '2002', true),
      expect: [
        { type: 'call.started', callId: '5f6c3a2e-2222-4c1e-9d5a-000000000002', agent: agent('2002') },
        { type: 'call.ended', callId: '5f6c3a2e-2222-4c1e-9d5a-000000000002', agent: agent('2002') },
      ],
    },
  ],
  malformed: [
    { name: 'not SIP at all', traffic: { raw: 'hello there\r\n\r\n' } },
    { name: 'INVITE with a broken SDP', traffic: { raw: invite400('this is not sdp') } },
    {
      name: 'request line without version',
      traffic: { raw: 'INVITE sip:srs@127.0.0.1\r\nContent-Length: 0\r\n\r\n' },
    },
  ],
});

process.on('exit', () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
