/**
 * A strict SIP message parser (RFC 3261 §7, §25): start line, headers (with folding and compact forms), and a
 * body framed by Content-Length. Anything it cannot read exactly throws `SipParseError`; callers answer 400.
 */

export class SipParseError extends Error {
  override readonly name = 'SipParseError';
}

export interface SipHeader {
  /** Lower-case full name (`v` becomes `via`). */
  name: string;
  value: string;
}

interface SipBase {
  headers: SipHeader[];
  body: Buffer;
}

export interface SipRequest extends SipBase {
  kind: 'request';
  method: string;
  uri: string;
}

export interface SipResponse extends SipBase {
  kind: 'response';
  status: number;
  reason: string;
}

export type SipMessage = SipRequest | SipResponse;

const COMPACT: Record<string, string> = {
  i: 'call-id',
  m: 'contact',
  e: 'content-encoding',
  l: 'content-length',
  c: 'content-type',
  f: 'from',
  s: 'subject',
  k: 'supported',
  t: 'to',
  v: 'via',
  o: 'event',
  r: 'refer-to',
  u: 'allow-events',
};

// RFC 3261 token characters.
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const MAX_HEADERS = 256;
const MAX_LINE = 8192;

/** Headers every request must carry to be answered (RFC 3261 §8.1.1). */
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'] as const;

export function header(message: Pick<SipBase, 'headers'>, name: string): string | undefined {
  return message.headers.find((h) => h.name === name)?.value;
}

export function headers(message: Pick<SipBase, 'headers'>, name: string): string[] {
  return message.headers.filter((h) => h.name === name).map((h) => h.value);
}

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string): CSeq {
  const m = /^(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(value.trim());
  if (!m) throw new SipParseError(`CSeq "${value}" is not "number METHOD"`);
  const seq = Number(m[1]);
  if (seq >= 2 ** 31) throw new SipParseError('CSeq number is not below 2^31');
  return { seq, method: m[2] as string };
}

/** Where the header section ends (index of the blank line's CRLFCRLF), or -1. */
export function headerEnd(data: Buffer, from = 0): number {
  return data.indexOf('\r\n\r\n', from, 'latin1');
}

/** The Content-Length a header section declares, or undefined when it has none. Throws when it is unreadable. */
export function declaredLength(head: string): number | undefined {
  const m = /\r\n(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/i.exec(head);
  if (!m) return undefined;
  const text = (m[1] as string).trim();
  if (!/^\d{1,9}$/.test(text)) throw new SipParseError(`Content-Length "${text}" is not a number`);
  return Number(text);
}

/**
 * Parses one whole message. On a datagram transport the body is the rest of the datagram, cut to
 * Content-Length (a shorter body is an error); a stream transport frames first and passes exactly one message.
 */
export function parseMessage(data: Buffer): SipMessage {
  const end = headerEnd(data);
  if (end < 0) throw new SipParseError('no blank line after the headers');
  const head = data.toString('latin1', 0, end);
  if (/[^\t\r\n\x20-\x7e\x80-\xff]/.test(head)) throw new SipParseError('control characters in the headers');
  const lines = head.split('\r\n');
  const start = lines[0] as string;
  if (start.length > MAX_LINE) throw new SipParseError('start line too long');

  let message: SipMessage;
  const response = /^SIP\/2\.0 ([1-6]\d\d) ([^\r\n]*)$/.exec(start);
  if (response) {
    message = {
      kind: 'response',
      status: Number(response[1]),
      reason: response[2] as string,
      headers: [],
      body: Buffer.alloc(0),
    };
  } else {
    const parts = start.split(' ');
    if (parts.length !== 3) throw new SipParseError('request line is not "METHOD URI SIP/2.0"');
    const [method, uri, version] = parts as [string, string, string];
    if (!TOKEN.test(method)) throw new SipParseError(`method "${method.slice(0, 32)}" is not a token`);
    if (!URI.test(uri)) throw new SipParseError('Request-URI is not an absolute URI');
    if (version !== 'SIP/2.0') throw new SipParseError(`version "${version.slice(0, 16)}" is not SIP/2.0`);
    message = { kind: 'request', method, uri, headers: [], body: Buffer.alloc(0) };
  }

  for (let i = 1; i < lines.length; i++) {
    let line = lines[i] as string;
    // Folded continuation lines (leading whitespace) belong to the header above.
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1] as string)) {
      line += ` ${(lines[i + 1] as string).trim()}`;
      i++;
    }
    if (line.length > MAX_LINE) throw new SipParseError('header line too long');
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SipParseError(`header line "${line.slice(0, 40)}" has no name`);
    const rawName = line.slice(0, colon).trimEnd();
    if (!TOKEN.test(rawName)) throw new SipParseError(`header name "${rawName.slice(0, 40)}" is not a token`);
    const lower = rawName.toLowerCase();
    const name = COMPACT[lower] ?? lower;
    message.headers.push({ name, value: line.slice(colon + 1).trim() });
    if (message.headers.length > MAX_HEADERS) throw new SipParseError('too many headers');
  }

  for (const name of REQUIRED) {
    if (!header(message, name)) throw new SipParseError(`missing ${name} header`);
  }
  const cseq = parseCSeq(header(message, 'cseq') as string);
  if (
    message.kind === 'request' &&
    cseq.method !== message.method &&
    !(message.method === 'ACK' && cseq.method === 'ACK')
  ) {
    throw new SipParseError(`CSeq method ${cseq.method} does not match ${message.method}`);
  }
  if (headers(message, 'content-length').length > 1) throw new SipParseError('more than one Content-Length');

  const bodyStart = end + 4;
  const available = data.length - bodyStart;
  const length = declaredLength(`\r\n${lines.slice(1).join('\r\n')}`);
  if (length !== undefined && length > available) {
    throw new SipParseError(`body shorter (${available} bytes) than Content-Length ${length}`);
  }
  message.body = data.subarray(bodyStart, bodyStart + (length ?? available));
  return message;
}

/** Serializes a message; Content-Length is always written from the body. */
export function serialize(message: SipMessage): Buffer {
  const start =
    message.kind === 'request'
      ? `${message.method} ${message.uri} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`;
  const lines = [start];
  for (const h of message.headers) {
    if (h.name !== 'content-length') lines.push(`${canonicalName(h.name)}: ${h.value}`);
  }
  lines.push(`Content-Length: ${message.body.length}`, '', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');
  return message.body.length ? Buffer.concat([head, message.body]) : head;
}

const CANONICAL: Record<string, string> = {
  'call-id': 'Call-ID',
  cseq: 'CSeq',
  www: 'WWW',
};

function canonicalName(name: string): string {
  return (
    CANONICAL[name] ??
    name
      .split('-')
      .map((p) => CANONICAL[p] ?? p.charAt(0).toUpperCase() + p.slice(1))
      .join('-')
  );
}
