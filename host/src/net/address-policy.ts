import ipaddr from 'ipaddr.js';

/**
 * Which addresses the host may fetch from on a caller's behalf (an `audioUrl` in a call event, a PBX's
 * recording URL). Only public unicast addresses by default: loopback, link-local (cloud metadata at
 * 169.254.169.254), private, unique-local, carrier-grade NAT, multicast and reserved ranges are refused
 * unless the admin lists them (CIDR) in `fetch.allow`.
 */
export class AddressPolicy {
  private readonly allowed: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(allow: readonly string[] = []) {
    this.allowed = allow.map((cidr) => ipaddr.parseCIDR(cidr));
  }

  /** Why `address` may not be fetched from, or undefined when it may. */
  refusal(address: string): string | undefined {
    if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
    let ip = ipaddr.parse(address);
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
      ip = (ip as ipaddr.IPv6).toIPv4Address();
    }
    for (const [range, bits] of this.allowed) {
      if (range.kind() === ip.kind() && ip.match(range, bits)) return undefined;
    }
    const kind = ip.range();
    return kind === 'unicast' ? undefined : `${ip.toString()} is a ${kind} address`;
  }
}

/** Validates one `fetch.allow` entry for the config schema. */
export function isCidr(value: string): boolean {
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}
