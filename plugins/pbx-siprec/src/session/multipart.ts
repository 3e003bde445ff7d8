export class BodyError extends Error {
  override readonly name = 'BodyError';
}

export interface BodyPart {
  /** Lower-case media type without parameters, e.g. `application/sdp`. */
  type: string;
  headers: Map<string, string>;
  content: Buffer;
}

/** The media type of a Content-Type value, lower case, and its parameters. */
export function mediaType(value: string): { type: string; params: Map<string, string> } {
  const [type = '', ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0)
      params.set(
        p.slice(0, eq).trim().toLowerCase(),
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
  }
  return { type: type.trim().toLowerCase(), params };
}

/**
 * The parts of a SIP body: one part for a plain body, each part of a `multipart/mixed` body (RFC 2046 §5.1;
 * RFC 7866 §9 puts the SDP and the rs-metadata side by side in one).
 */
export function bodyParts(contentType: string | undefined, body: Buffer): BodyPart[] {
  if (body.length === 0) return [];
  if (!contentType) throw new BodyError('a body without Content-Type');
  const { type, params } = mediaType(contentType);
  if (!type.startsWith('multipart/'))
    return [{ type, headers: new Map([['content-type', contentType]]), content: body }];
  const boundary = params.get('boundary');
  if (!boundary || boundary.length > 70) throw new BodyError('multipart body without a valid boundary');
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: BodyPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new BodyError('multipart body without its boundary');
  for (;;) {
    let start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString('latin1') === '--') break;
    // Transport padding after the delimiter, then CRLF.
    while (body[start] === 0x20 || body[start] === 0x09) start++;
    if (body[start] === 13 && body[start + 1] === 10) start += 2;
    else if (body[start] === 10) start += 1;
    else throw new BodyError('multipart delimiter not followed by a line break');
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new BodyError('multipart body without its closing boundary');
    let end = next;
    // The line break before a delimiter belongs to the delimiter.
    if (body[end - 1] === 10) end--;
    if (body[end - 1] === 13) end--;
    parts.push(parsePart(body.subarray(start, Math.max(start, end))));
    at = next;
    if (parts.length > 16) throw new BodyError('more than 16 body parts');
  }
  return parts;
}

function parsePart(data: Buffer): BodyPart {
  let split = data.indexOf('\r\n\r\n');
  let skip = 4;
  if (split < 0) {
    split = data.indexOf('\n\n');
    skip = 2;
  }
  // A part may have no headers at all (then it is text/plain by RFC 2046), starting with the blank line.
  if (data.subarray(0, 2).toString('latin1') === '\r\n') {
    split = 0;
    skip = 2;
  }
  if (split < 0) throw new BodyError('body part without a blank line after its headers');
  const headers = new Map<string, string>();
  for (const line of data.toString('latin1', 0, split).split(/\r?\n/)) {
    if (!line) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new BodyError(`body part header "${line.slice(0, 40)}" has no name`);
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return {
    type: mediaType(headers.get('content-type') ?? 'text/plain').type,
    headers,
    content: data.subarray(split + skip),
  };
}
