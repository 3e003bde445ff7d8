import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { encode, tone } from './g711-encode.js';

/** A SIP message as the test client reads it (its own reader, independent of the plugin's parser). */
export interface Received {
  startLine: string;
  status?: number;
  method?: string;
  headers: Map<string, string[]>;
  body: string;
}

export function readMessage(text: string): Received {
  const end = text.indexOf('\r\n\r\n');
  const head = text.slice(0, end).split('\r\n');
  const startLine = head[0] ?? '';
  const headers = new Map<string, string[]>();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
  }
  const status = /^SIP\/2\.0 (\d{3})/.exec(startLine);
  const method = /^([A-Z]+) /.exec(startLine);
  return {
    startLine,
    ...(status ? { status: Number(status[1]) } : {}),
    ...(!status && method ? { method: method[1] } : {}),
    headers,
    body: text.slice(end + 4),
  };
}

export const first = (m: Received, name: string): string => m.headers.get(name)?.[0] ?? '';

/** A SIP connection from the test's SRC: UDP socket or TCP connection to the recorder. */
export class SipConnection {
  private readonly inbox: Received[] = [];
  private waiters: (() => void)[] = [];
  private tcpBuffer = '';
  readonly localPort: number;
  closed = false;

  private constructor(
    readonly transport: 'udp' | 'tcp' | 'tls',
    private readonly socket: dgram.Socket | net.Socket,
    private readonly port: number,
  ) {
    this.localPort =
      transport === 'udp' ? (socket as dgram.Socket).address().port : ((socket as net.Socket).localPort ?? 0);
  }

  /** `ca` (PEM) is the certificate a TLS connection trusts. */
  static async open(transport: 'udp' | 'tcp' | 'tls', port: number, ca?: string): Promise<SipConnection> {
    if (transport === 'udp') {
      const socket = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
      const c = new SipConnection('udp', socket, port);
      socket.on('message', (data) => c.push(data.toString('latin1')));
      return c;
    }
    const socket =
      transport === 'tls'
        ? tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' })
        : net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    const c = new SipConnection(transport, socket, port);
    socket.on('data', (chunk: Buffer) => c.pushStream(chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      c.closed = true;
      c.wake();
    });
    return c;
  }

  send(text: string | Buffer): void {
    const data = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    if (this.transport === 'udp') (this.socket as dgram.Socket).send(data, this.port, '127.0.0.1');
    else (this.socket as net.Socket).write(data);
  }

  /** Waits for the next message matching `match` and takes it from the inbox. */
  async next(match: (m: Received) => boolean, timeoutMs = 5000, what = 'a SIP message'): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Received;
      const left = deadline - Date.now();
      if (left <= 0 || (this.closed && this.transport !== 'udp'))
        throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The final response (≥ 200) to the request with this CSeq line. */
  final(cseq: string, timeoutMs = 5000): Promise<Received> {
    return this.next(
      (m) => (m.status ?? 0) >= 200 && first(m, 'cseq') === cseq,
      timeoutMs,
      `a final answer to ${cseq}`,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.transport === 'udp')
      await new Promise<void>((r) => (this.socket as dgram.Socket).close(() => r()));
    else {
      const s = this.socket as net.Socket;
      if (s.destroyed) return;
      await new Promise<void>((r) => {
        s.once('close', () => r());
        s.destroy();
      });
    }
  }

  private push(text: string): void {
    this.inbox.push(readMessage(text));
    this.wake();
  }

  private pushStream(text: string): void {
    this.tcpBuffer += text;
    for (;;) {
      this.tcpBuffer = this.tcpBuffer.replace(/^(\r\n)+/, '');
      const end = this.tcpBuffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(this.tcpBuffer.slice(0, end + 2))?.[1] ?? 0);
      if (this.tcpBuffer.length < end + 4 + length) return;
      this.push(this.tcpBuffer.slice(0, end + 4 + length));
      this.tcpBuffer = this.tcpBuffer.slice(end + 4 + length);
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export interface Participant {
  aor: string;
  name?: string;
}

export interface CallSpec {
  /** The SIP Call-ID of the recording session. */
  sipCallId?: string;
  /** The communication session id put in the metadata (`<sipSessionID>`); becomes the event's callId. */
  sessionId: string;
  agent: Participant;
  other: Participant;
  /** Codec of the agent's stream (label 1) and the other side's (label 2). */
  codecs?: [OfferedCodec, OfferedCodec];
  /** List the other party first in the metadata (the stream association still tells who sends what). */
  otherFirst?: boolean;
  metadataXml?: string;
}

export const ids = () => ({
  tag: randomBytes(4).toString('hex'),
  branch: `z9hG4bK${randomBytes(6).toString('hex')}`,
});

/** An RFC 7865 rs-metadata document: one session, two participants, each sending one labelled stream. */
export function rsMetadata(spec: CallSpec): string {
  const p = (
    id: string,
    who: Participant,
    send: string,
    recv: string,
  ) => `  <participant participant_id="${id}">
    <nameID aor="${who.aor}">${who.name ? `<name xml:lang="en">${who.name}</name>` : ''}</nameID>
  </participant>
  <participantstreamassoc participant_id="${id}"><send>${send}</send><recv>${recv}</recv></participantstreamassoc>`;
  const agent = p('UAAMm5GRQzM1Ag==', spec.agent, 'i1Y3Mz8SGb8=', 'Ba3ywkCkZt4=');
  const other = p('zSfPoSvdSDCmU3A3TRDxAw==', spec.other, 'Ba3ywkCkZt4=', 'i1Y3Mz8SGb8=');
  return `<?xml version="1.0" encoding="UTF-8"?>
<recording xmlns="urn:ietf:params:xml:ns:recording:1">
  <datamode>complete</datamode>
  <group group_id="7+OTCyoxTmqmqyA/1weDAg=="><associate-time>2026-12-01T10:00:00Z</associate-time></group>
  <session session_id="hVpd7YQgRW2nD22h7q60JQ==">
    <sipSessionID>${spec.sessionId};remote=00000000000000000000000000000000</sipSessionID>
    <group-ref>7+OTCyoxTmqmqyA/1weDAg==</group-ref>
  </session>
${spec.otherFirst ? `${other}\n${agent}` : `${agent}\n${other}`}
  <stream stream_id="i1Y3Mz8SGb8=" session_id="hVpd7YQgRW2nD22h7q60JQ=="><label>1</label></stream>
  <stream stream_id="Ba3ywkCkZt4=" session_id="hVpd7YQgRW2nD22h7q60JQ=="><label>2</label></stream>
</recording>
`;
}

export type OfferedCodec = 'PCMU' | 'PCMA' | 'opus';
const PT = { PCMU: 0, PCMA: 8, opus: 111 } as const;
const RTPMAP = { PCMU: 'PCMU/8000', PCMA: 'PCMA/8000', opus: 'opus/48000/2' } as const;

/** The SRC's SDP offer: two sendonly audio streams labelled 1 (agent) and 2 (other side). */
export function sdpOffer(rtpPort: number, codecs: [OfferedCodec, OfferedCodec], version = 1): string {
  const m = (label: number, codec: OfferedCodec, port: number) =>
    `m=audio ${port} RTP/AVP ${PT[codec]} 101\r\na=rtpmap:${PT[codec]} ${RTPMAP[codec]}\r\na=rtpmap:101 telephone-event/8000\r\na=label:${label}\r\na=sendonly\r\n`;
  return `v=0\r\no=src 2890844526 ${version} IN IP4 127.0.0.1\r\ns=SIPREC\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n${m(1, codecs[0], rtpPort)}${m(2, codecs[1], rtpPort + 2)}`;
}

export function multipart(
  sdp: string,
  xml: string,
  boundary = 'siprec-boundary-42',
): { type: string; body: string } {
  return {
    type: `multipart/mixed;boundary=${boundary}`,
    body: `--${boundary}\r\nContent-Type: application/sdp\r\n\r\n${sdp}\r\n--${boundary}\r\nContent-Type: application/rs-metadata+xml\r\nContent-Disposition: recording-session\r\n\r\n${xml}\r\n--${boundary}--\r\n`,
  };
}

export interface Dialog {
  callId: string;
  fromTag: string;
  toHeader: string;
  cseq: number;
  /** The recorder's RTP ports for label 1 and label 2, from the answer. */
  rtpPorts: number[];
  answer: Received;
}

export function request(
  c: SipConnection,
  method: string,
  callId: string,
  cseq: number,
  opts: {
    fromTag: string;
    to?: string;
    contentType?: string;
    body?: string;
    extra?: string[];
    branch?: string;
  },
): string {
  const body = opts.body ?? '';
  return [
    `${method} sip:srs@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/${c.transport.toUpperCase()} 127.0.0.1:${c.localPort};branch=${opts.branch ?? ids().branch}`,
    'Max-Forwards: 70',
    `From: <sip:src@127.0.0.1>;tag=${opts.fromTag}`,
    `To: ${opts.to ?? '<sip:srs@127.0.0.1>'}`,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:src@127.0.0.1:${c.localPort}${c.transport === 'udp' ? '' : `;transport=${c.transport}`}>;+sip.src`,
    ...(opts.extra ?? []),
    ...(opts.contentType ? [`Content-Type: ${opts.contentType}`] : []),
    `Content-Length: ${Buffer.byteLength(body, 'latin1')}`,
    '',
    body,
  ].join('\r\n');
}

export function answerPorts(answer: Received): number[] {
  return [...answer.body.matchAll(/^m=audio (\d+) /gm)].map((m) => Number(m[1]));
}

/** INVITE with SDP + rs-metadata, waits for 200, sends ACK. */
export async function invite(c: SipConnection, spec: CallSpec, rtpBase = 30000): Promise<Dialog> {
  const callId = spec.sipCallId ?? `${randomBytes(8).toString('hex')}@src.test`;
  const { tag } = ids();
  const { type, body } = multipart(
    sdpOffer(rtpBase, spec.codecs ?? ['PCMU', 'PCMA']),
    spec.metadataXml ?? rsMetadata(spec),
  );
  c.send(
    request(c, 'INVITE', callId, 1, { fromTag: tag, contentType: type, body, extra: ['Require: siprec'] }),
  );
  const answer = await c.final('1 INVITE');
  if (answer.status !== 200) throw new Error(`INVITE answered ${answer.startLine}`);
  const toHeader = first(answer, 'to');
  c.send(request(c, 'ACK', callId, 1, { fromTag: tag, to: toHeader }));
  return { callId, fromTag: tag, toHeader, cseq: 1, rtpPorts: answerPorts(answer), answer };
}

export async function bye(c: SipConnection, d: Dialog): Promise<Received> {
  d.cseq++;
  c.send(request(c, 'BYE', d.callId, d.cseq, { fromTag: d.fromTag, to: d.toHeader }));
  return c.final(`${d.cseq} BYE`);
}

export interface RtpStreamSpec {
  port: number;
  codec: 'PCMU' | 'PCMA';
  frequency: number;
  /** Packets of 20 ms. */
  packets: number;
  /** Order in which packets are sent (indices); default in order. */
  order?: number[];
  /** Packet indices never sent (a gap the recorder fills with silence). */
  drop?: Set<number>;
  ssrc?: number;
}

/** Sends G.711 RTP for a tone; `paceMs` 0 bursts all packets (positions still come from timestamps). */
export async function sendRtp(streams: RtpStreamSpec[], paceMs = 0): Promise<void> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const begin = Date.now();
  try {
    const max = Math.max(...streams.map((s) => s.packets));
    for (let step = 0; step < max; step++) {
      for (const s of streams) {
        if (step >= s.packets) continue;
        const i = s.order ? (s.order[step] as number) : step;
        if (s.drop?.has(i)) continue;
        const header = Buffer.alloc(12);
        header[0] = 0x80;
        header[1] = (i === 0 ? 0x80 : 0) | PT[s.codec];
        header.writeUInt16BE((1000 + i) & 0xffff, 2);
        header.writeUInt32BE((160_000 + i * 160) >>> 0, 4);
        header.writeUInt32BE(s.ssrc ?? 0x1234 + s.port, 8);
        const payload = encode(s.codec, tone(s.frequency, i * 160, 160));
        await new Promise<void>((resolve) =>
          socket.send(Buffer.concat([header, payload]), s.port, '127.0.0.1', () => resolve()),
        );
      }
      // Paced by an absolute schedule, as a sender's clock does: a late timer does not delay the rest.
      if (paceMs)
        await new Promise((r) => setTimeout(r, Math.max(0, begin + (step + 1) * paceMs - Date.now())));
      else if (step % 10 === 9) await new Promise((r) => setImmediate(r));
    }
  } finally {
    await new Promise<void>((r) => socket.close(() => r()));
  }
}
