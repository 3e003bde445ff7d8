import { RECORDED_CODECS, type RecordedCodec, rtpmapOf } from '../media/codecs.js';

export class SdpError extends Error {
  override readonly name = 'SdpError';
}

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface SdpMedia {
  type: string;
  port: number;
  proto: string;
  formats: string[];
  /** `a=label:` (RFC 4574), which rs-metadata's `<stream><label>` refers to. */
  label?: string;
  /** Connection address for this stream (media-level c= or the session's). */
  address?: string;
  direction: Direction;
  /** Payload type → encoding name, upper case (`0` → `PCMU`). */
  rtpmap: Map<string, string>;
}

export interface SdpOffer {
  address?: string;
  media: SdpMedia[];
}

const DIRECTIONS = new Set<Direction>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);
/** Static payload types (RFC 3551) that the recorder decodes. */
export const STATIC_CODECS: Record<string, string> = { '0': 'PCMU', '8': 'PCMA' };

/** Parses an SDP offer strictly enough to answer it (RFC 4566 line syntax; only what an answer needs is kept). */
export function parseSdp(text: string): SdpOffer {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  if (lines[0] !== 'v=0') throw new SdpError('SDP does not start with v=0');
  const offer: SdpOffer = { media: [] };
  let current: SdpMedia | undefined;
  let sessionDirection: Direction = 'sendrecv';
  for (const line of lines) {
    if (!/^[a-z]=/.test(line)) throw new SdpError(`SDP line "${line.slice(0, 40)}" is not "x=value"`);
    const key = line[0];
    const value = line.slice(2);
    if (key === 'm') {
      const m = /^([a-z]+) (\d{1,5})(?:\/\d+)? ([A-Za-z0-9/]+) (.+)$/.exec(value);
      if (!m || Number(m[2]) > 65535)
        throw new SdpError(`m= line "${value.slice(0, 60)}" is not "media port proto formats"`);
      current = {
        type: m[1] as string,
        port: Number(m[2]),
        proto: m[3] as string,
        formats: (m[4] as string).trim().split(/\s+/),
        ...(offer.address ? { address: offer.address } : {}),
        direction: sessionDirection,
        rtpmap: new Map(),
      };
      offer.media.push(current);
    } else if (key === 'c') {
      const c = /^IN IP[46] ([^\s/]+)/.exec(value);
      if (!c) throw new SdpError(`c= line "${value.slice(0, 60)}" is not "IN IP4 address"`);
      if (current) current.address = c[1] as string;
      else offer.address = c[1] as string;
    } else if (key === 'a') {
      const colon = value.indexOf(':');
      const name = colon < 0 ? value : value.slice(0, colon);
      const arg = colon < 0 ? '' : value.slice(colon + 1);
      if (DIRECTIONS.has(name as Direction)) {
        if (current) current.direction = name as Direction;
        else sessionDirection = name as Direction;
      } else if (current && name === 'label') current.label = arg.trim();
      else if (current && name === 'rtpmap') {
        const r = /^(\d{1,3}) ([A-Za-z0-9_.-]+)\//.exec(arg);
        if (r) current.rtpmap.set(r[1] as string, (r[2] as string).toUpperCase());
      }
    }
  }
  return offer;
}

/** The codec the recorder takes from a stream: the first offered PCMU, PCMA or Opus payload type, if any. */
export function chooseCodec(media: SdpMedia): { pt: number; name: RecordedCodec } | undefined {
  if (media.type !== 'audio' || !/^RTP\/AVPF?$/.test(media.proto)) return undefined;
  for (const format of media.formats) {
    const name = media.rtpmap.get(format) ?? STATIC_CODECS[format];
    if (name && RECORDED_CODECS.has(name)) return { pt: Number(format), name: name as RecordedCodec };
  }
  return undefined;
}

export interface AnswerStream {
  media: SdpMedia;
  /** The local RTP port, or 0 when the stream is refused. */
  port: number;
  codec?: { pt: number; name: RecordedCodec };
}

/** An answer: every offered stream in order, the recorded ones `recvonly` on their port, the others refused. */
export function buildAnswer(
  address: string,
  sessionId: string,
  version: number,
  streams: AnswerStream[],
): string {
  const ip = address.includes(':') ? 'IP6' : 'IP4';
  const lines = [
    'v=0',
    `o=deskrec ${sessionId} ${version} IN ${ip} ${address}`,
    's=deskrec',
    `c=IN ${ip} ${address}`,
    't=0 0',
  ];
  for (const s of streams) {
    if (!s.codec || s.port === 0) {
      lines.push(`m=${s.media.type} 0 ${s.media.proto} ${s.media.formats[0] ?? '0'}`);
      continue;
    }
    lines.push(`m=audio ${s.port} RTP/AVP ${s.codec.pt}`, `a=rtpmap:${s.codec.pt} ${rtpmapOf(s.codec.name)}`);
    if (s.media.label) lines.push(`a=label:${s.media.label}`);
    lines.push(s.media.direction === 'inactive' ? 'a=inactive' : 'a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}
