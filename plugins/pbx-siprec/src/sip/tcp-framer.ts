import { declaredLength, headerEnd, SipParseError } from './message.js';

export type FrameResult =
  | { kind: 'message'; data: Buffer }
  | { kind: 'ping' }
  | { kind: 'error'; error: SipParseError; head?: Buffer };

/**
 * Cuts a TCP byte stream into SIP messages by Content-Length (RFC 3261 §18.3), which stream transports must
 * send. CRLF keep-alives (RFC 5626 §4.4.1) between messages are reported as pings. After an error the
 * stream's framing is lost: the caller answers 400 and closes the connection.
 */
export class TcpFramer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): FrameResult[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: FrameResult[] = [];
    for (;;) {
      let skip = 0;
      while (skip + 1 < this.buffer.length && this.buffer[skip] === 13 && this.buffer[skip + 1] === 10)
        skip += 2;
      if (skip) {
        if (skip >= 4) out.push({ kind: 'ping' });
        this.buffer = this.buffer.subarray(skip);
      }
      if (this.buffer.length === 0) break;
      const end = headerEnd(this.buffer);
      if (end < 0) {
        if (this.buffer.length > this.maxBytes) {
          out.push({ kind: 'error', error: new SipParseError('header section larger than the limit') });
          this.buffer = Buffer.alloc(0);
        }
        break;
      }
      const head = this.buffer.subarray(0, end);
      let length: number | undefined;
      try {
        length = declaredLength(`\r\n${head.toString('latin1')}`);
        if (length === undefined) throw new SipParseError('Content-Length is required over TCP');
        if (end + 4 + length > this.maxBytes) throw new SipParseError('message larger than the limit');
      } catch (error) {
        out.push({ kind: 'error', error: error as SipParseError, head: Buffer.from(head) });
        this.buffer = Buffer.alloc(0);
        break;
      }
      const total = end + 4 + length;
      if (this.buffer.length < total) break;
      out.push({ kind: 'message', data: Buffer.from(this.buffer.subarray(0, total)) });
      this.buffer = this.buffer.subarray(total);
    }
    return out;
  }
}
