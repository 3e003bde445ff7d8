/** One resource of a PROPFIND answer. */
export interface DavEntry {
  /** Path part of the href, percent-decoded. */
  path: string;
  collection: boolean;
  size: number;
  modifiedAt?: Date;
}

/** Text of the first element `name` in `xml`, whatever namespace prefix the server uses. */
function element(xml: string, name: string): string | undefined {
  const match = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`).exec(
    xml,
  );
  return match?.[1];
}

const decodeXml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/**
 * Reads a 207 multistatus body. WebDAV servers differ in namespace prefixes only; the few properties read
 * here (href, resourcetype, getcontentlength, getlastmodified) are flat, so a full XML parser is not needed.
 */
export function parseMultistatus(xml: string): DavEntry[] {
  const entries: DavEntry[] = [];
  const responses = xml.split(/<(?:[\w.-]+:)?response[\s>]/).slice(1);
  for (const response of responses) {
    const href = element(response, 'href');
    if (!href) continue;
    const raw = decodeXml(href.trim());
    // Not new URL(): some servers leave "#" and "?" of a name unescaped in the href, and they are part of it.
    const pathname = raw.replace(/^https?:\/\/[^/]+/i, '');
    const path = pathname
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
    const type = element(response, 'resourcetype') ?? '';
    const length = element(response, 'getcontentlength');
    const modified = element(response, 'getlastmodified');
    const date = modified ? new Date(modified.trim()) : undefined;
    entries.push({
      path,
      collection: /<(?:[\w.-]+:)?collection\s*\/?>/.test(type),
      size: length ? Number(length.trim()) : 0,
      ...(date && !Number.isNaN(date.getTime()) ? { modifiedAt: date } : {}),
    });
  }
  return entries;
}
