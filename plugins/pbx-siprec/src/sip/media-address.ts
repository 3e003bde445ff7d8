import os from 'node:os';
import type { Remote } from './transport.js';

/**
 * The address the SDP answer and our Contact give: the configured one, else the bound one, else (bound to
 * every interface) the address the request arrived on, else the first external IPv4 address.
 */
export function mediaAddress(
  options: { mediaAddress?: string | undefined; host: string },
  remote: Remote,
): string {
  if (options.mediaAddress) return options.mediaAddress;
  const { host } = options;
  if (host !== '0.0.0.0' && host !== '::') return host;
  if (remote.localAddress && remote.localAddress !== '0.0.0.0' && remote.localAddress !== '::') {
    return remote.localAddress.replace(/^::ffff:/, '');
  }
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** `host:port`, with brackets around an IPv6 address. */
export const hostPort = (host: string, port: number): string =>
  `${host.includes(':') ? `[${host}]` : host}:${port}`;
