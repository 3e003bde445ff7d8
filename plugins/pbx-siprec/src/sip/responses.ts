import { randomBytes } from 'node:crypto';
import { header, headers, type SipHeader, type SipRequest, type SipResponse } from './message.js';

export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE';
export const ACCEPT = 'application/sdp, application/rs-metadata+xml, multipart/mixed';
export const SUPPORTED = 'siprec';

export const randomToken = (bytes = 8): string => randomBytes(bytes).toString('hex');

const REASONS: Record<number, string> = {
  100: 'Trying',
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  420: 'Bad Extension',
  481: 'Call/Transaction Does Not Exist',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
};

/**
 * A response to `request` (RFC 3261 §8.2.6): Via, From, Call-ID and CSeq copied, To copied with `toTag`
 * added when it has none (100 Trying carries no tag).
 */
export function responseTo(
  request: Pick<SipRequest, 'headers'>,
  status: number,
  options: { toTag?: string; reason?: string; headers?: SipHeader[]; body?: Buffer } = {},
): SipResponse {
  const copied: SipHeader[] = [];
  for (const value of headers(request, 'via')) copied.push({ name: 'via', value });
  for (const name of ['from', 'to', 'call-id', 'cseq'] as const) {
    let value = header(request, name);
    if (value === undefined) continue;
    if (name === 'to' && options.toTag && status > 100 && !/;\s*tag=/i.test(value))
      value += `;tag=${options.toTag}`;
    copied.push({ name, value });
  }
  copied.push({ name: 'server', value: 'deskrec-siprec' });
  return {
    kind: 'response',
    status,
    reason: options.reason ?? REASONS[status] ?? 'Unknown',
    headers: [...copied, ...(options.headers ?? [])],
    body: options.body ?? Buffer.alloc(0),
  };
}

/**
 * The headers a 400 for an unreadable message can still carry: the lines that look like Via, From, To,
 * Call-ID and CSeq, so the sender can match the answer to its request. Returns undefined when the data does
 * not look like a request at all (a response or noise is never answered).
 */
export function salvageRequestHeaders(data: Buffer): SipHeader[] | undefined {
  const text = data.toString('latin1', 0, Math.min(data.length, 16 * 1024));
  const lines = text.split(/\r?\n/);
  if (!/^[A-Za-z]+ \S+ SIP\/\d/.test(lines[0] ?? '')) return undefined;
  const wanted: Record<string, string> = {
    via: 'via',
    v: 'via',
    from: 'from',
    f: 'from',
    to: 'to',
    t: 'to',
    'call-id': 'call-id',
    i: 'call-id',
    cseq: 'cseq',
  };
  const out: SipHeader[] = [];
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const m = /^([A-Za-z-]+)[ \t]*:[ \t]*(.{1,1024})$/.exec(line);
    const name = m ? wanted[(m[1] as string).toLowerCase()] : undefined;
    if (m && name && /^[\x20-\x7e]+$/.test(m[2] as string))
      out.push({ name, value: (m[2] as string).trim() });
  }
  return out.some((h) => h.name === 'via') ? out : undefined;
}

/** A BYE inside a dialog the recorder accepted (RFC 3261 §15.1.1): our tag in From, the SRC's in To. */
export function byeRequest(d: {
  /** `SIP/2.0/TRANSPORT host:port`; a branch and rport are added. */
  via: string;
  target: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  reason?: string;
}): SipRequest {
  return {
    kind: 'request',
    method: 'BYE',
    uri: d.target,
    headers: [
      { name: 'via', value: `${d.via};branch=z9hG4bK${randomToken()};rport` },
      { name: 'max-forwards', value: '70' },
      { name: 'from', value: d.from },
      { name: 'to', value: d.to },
      { name: 'call-id', value: d.callId },
      { name: 'cseq', value: `${d.cseq} BYE` },
      ...(d.reason ? [{ name: 'reason', value: d.reason }] : []),
    ],
    body: Buffer.alloc(0),
  };
}
