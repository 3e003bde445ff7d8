/** One event-socket frame: its outer headers and its body (Content-Length bytes, UTF-8). */
export interface EslFrame {
  headers: Record<string, string>;
  body: string;
}

export interface EslParserHandlers {
  frame(frame: EslFrame): void;
  problem(message: string, input: string): void;
}

/** Larger frames are not ESL traffic this source needs; they are skipped without being kept in memory. */
const MAX_HEADER_BYTES = 64 * 1024;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Decodes `%XX` sequences; a malformed sequence leaves the value as received. */
export function urlDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Parses `Name: value` lines (LF or CRLF); with `decode`, values are URL-decoded as in text/event-plain. */
export function parseHeaderBlock(
  text: string,
  decode: boolean,
): { headers: Record<string, string>; bad: string[] } {
  const headers: Record<string, string> = Object.create(null);
  const bad: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      bad.push(line);
      continue;
    }
    const value = line.slice(colon + 1).trim();
    headers[line.slice(0, colon).trim()] = decode ? urlDecode(value) : value;
  }
  return { headers, bad };
}

/**
 * Incremental parser for the FreeSWITCH event socket framing: a header block ended by a blank line, then
 * `Content-Length` bytes of body when that header is present. Lengths count bytes, so it works on Buffers.
 */
export class EslParser {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Record<string, string> | undefined;
  private bodyLength = 0;
  private skipBytes = 0;

  constructor(private readonly handlers: EslParserHandlers) {}

  reset(): void {
    this.buffer = Buffer.alloc(0);
    this.pending = undefined;
    this.skipBytes = 0;
  }

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.skipBytes > 0) {
        const skipped = Math.min(this.skipBytes, this.buffer.length);
        this.buffer = this.buffer.subarray(skipped);
        this.skipBytes -= skipped;
        if (this.skipBytes > 0) return;
      }
      if (this.pending) {
        if (this.buffer.length < this.bodyLength) return;
        const body = this.buffer.subarray(0, this.bodyLength).toString('utf8');
        this.buffer = this.buffer.subarray(this.bodyLength);
        const headers = this.pending;
        this.pending = undefined;
        this.handlers.frame({ headers, body });
        continue;
      }
      // Blank lines between frames carry nothing.
      let start = 0;
      while (start < this.buffer.length && (this.buffer[start] === 0x0a || this.buffer[start] === 0x0d))
        start++;
      if (start > 0) this.buffer = this.buffer.subarray(start);
      const end = this.headerEnd();
      if (end === undefined) {
        if (this.buffer.length > MAX_HEADER_BYTES) {
          this.handlers.problem(
            'ESL header block too long, dropped',
            this.buffer.subarray(0, 120).toString('utf8'),
          );
          this.buffer = Buffer.alloc(0);
        }
        return;
      }
      const text = this.buffer.subarray(0, end.at).toString('utf8');
      this.buffer = this.buffer.subarray(end.at + end.length);
      const { headers, bad } = parseHeaderBlock(text, true);
      if (bad.length > 0) {
        this.handlers.problem('ESL header line without "Name: value"', bad[0]?.slice(0, 120) ?? '');
        continue;
      }
      const lengthText = headers['Content-Length'];
      if (lengthText === undefined) {
        this.handlers.frame({ headers, body: '' });
        continue;
      }
      const length = /^\d+$/.test(lengthText) ? Number(lengthText) : Number.NaN;
      if (!Number.isSafeInteger(length)) {
        this.handlers.problem('ESL Content-Length is not a number', text.slice(0, 120));
        continue;
      }
      if (length > MAX_BODY_BYTES) {
        this.handlers.problem(
          `ESL body of ${length} bytes skipped (limit ${MAX_BODY_BYTES})`,
          text.slice(0, 120),
        );
        this.skipBytes = length;
        continue;
      }
      this.pending = headers;
      this.bodyLength = length;
    }
  }

  private headerEnd(): { at: number; length: number } | undefined {
    const lf = this.buffer.indexOf('\n\n');
    const crlf = this.buffer.indexOf('\r\n\r\n');
    if (lf === -1 && crlf === -1) return undefined;
    if (crlf !== -1 && (lf === -1 || crlf < lf)) return { at: crlf, length: 4 };
    return { at: lf, length: 2 };
  }
}

/** Decodes an event frame body into its headers: `text/event-plain` (URL-encoded) or `text/event-json`. */
export function decodeEvent(contentType: string, body: string): Record<string, string> | string {
  if (contentType === 'text/event-json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return 'ESL JSON event is not valid JSON';
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return 'ESL JSON event is not an object';
    const headers: Record<string, string> = Object.create(null);
    for (const [name, value] of Object.entries(parsed)) {
      if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
    }
    return headers;
  }
  // A plain event is a header block, optionally followed by its own Content-Length body (unused here).
  const end = body.search(/\r?\n\r?\n/);
  const { headers, bad } = parseHeaderBlock(end === -1 ? body : body.slice(0, end), true);
  if (bad.length > 0) return 'ESL event line without "Name: value"';
  return headers;
}
