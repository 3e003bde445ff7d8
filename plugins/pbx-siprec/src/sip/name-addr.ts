import { SipParseError } from './message.js';

/** `"Name" <sip:user@host>;tag=x` or `sip:user@host;tag=x` (RFC 3261 §20.10). */
export interface NameAddr {
  display?: string;
  uri: string;
  params: Map<string, string>;
}

function parseParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    params.set(key, eq < 0 ? '' : p.slice(eq + 1).trim());
  }
  return params;
}

export function parseNameAddr(value: string): NameAddr {
  const v = value.trim();
  const open = v.indexOf('<');
  if (open >= 0) {
    const close = v.indexOf('>', open);
    if (close < 0) throw new SipParseError(`"${v.slice(0, 60)}" has "<" without ">"`);
    const display = v
      .slice(0, open)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    const uri = v.slice(open + 1, close).trim();
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri))
      throw new SipParseError(`"${uri.slice(0, 60)}" is not a URI`);
    return { ...(display ? { display } : {}), uri, params: parseParams(v.slice(close + 1)) };
  }
  const semi = v.indexOf(';');
  const uri = semi < 0 ? v : v.slice(0, semi);
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(uri))
    throw new SipParseError(`"${uri.slice(0, 60)}" is not a URI`);
  return { uri, params: parseParams(semi < 0 ? '' : v.slice(semi)) };
}

/** The `tag` parameter of a From or To header value, if any. */
export function tagOf(value: string): string | undefined {
  return parseNameAddr(value).params.get('tag') || undefined;
}

export interface Via {
  transport: string;
  host: string;
  port?: number;
  branch?: string;
}

/** The topmost Via of a header value (`SIP/2.0/UDP host:port;branch=z9hG4bK...`). */
export function parseVia(value: string): Via {
  const first = value.split(',')[0]?.trim() ?? '';
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+([^\s;]+)(.*)$/.exec(first);
  if (!m) throw new SipParseError(`Via "${first.slice(0, 60)}" is not "SIP/2.0/TRANSPORT host"`);
  const sentBy = m[2] as string;
  const hp = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(sentBy);
  if (!hp) throw new SipParseError(`Via sent-by "${sentBy.slice(0, 60)}" is not host[:port]`);
  const params = parseParams(m[3] ?? '');
  return {
    transport: (m[1] as string).toUpperCase(),
    host: hp[1] as string,
    ...(hp[2] ? { port: Number(hp[2]) } : {}),
    ...(params.get('branch') ? { branch: params.get('branch') as string } : {}),
  };
}

/** The user part of a SIP URI (`1001` in `sip:1001@pbx.example`), and its host. */
export function uriParts(uri: string): { user?: string; host: string } {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:(?:([^@;?]+)@)?([^;?>:]+|\[[^\]]+\])/.exec(uri.trim());
  if (!m) return { host: '' };
  return { ...(m[1] ? { user: decodeURIComponent(m[1]) } : {}), host: (m[2] as string).toLowerCase() };
}
