import type { Context } from 'hono';
import ipaddr from 'ipaddr.js';
import { sameDigest, sha256Hex } from '../db/secrets.js';
import { clientIp } from './session.js';

export interface ObservabilityOptions {
  /** Bearer token a scraper presents; absent: only the allow-list admits. */
  token?: string | undefined;
  /** CIDR ranges admitted without a token. */
  allow: readonly string[];
}

function parsed(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (!ipaddr.isValid(address)) return undefined;
  // "::ffff:10.1.2.3" (a v4 client on a dual-stack socket) is matched as 10.1.2.3.
  return ipaddr.process(address);
}

/**
 * Who may read /metrics and the detailed /api/health: a caller from an allowed range, or one presenting the
 * configured token. Only the token's digest is kept, and digests are compared in constant time.
 */
export function observabilityAccess(options: ObservabilityOptions): (c: Context) => boolean {
  const digest = options.token ? sha256Hex(options.token) : undefined;
  const ranges = options.allow.map((cidr) => ipaddr.parseCIDR(cidr));
  return (c) => {
    const bearer = /^Bearer\s+(\S{1,1024})$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (digest && bearer && sameDigest(sha256Hex(bearer), digest)) return true;
    const address = clientIp(c);
    const ip = address ? parsed(address) : undefined;
    return !!ip && ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
  };
}

export const OBSERVABILITY_REFUSED =
  'Metrics and the detailed health need the bearer token of observability.token, or a caller address in observability.allow';
