import type { ServerResponse } from 'node:http';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * hono's secure-headers on every answer of the web port (nosniff, Referrer-Policy, framing, HSTS,
 * cross-origin isolation). Headers a route set itself are kept, so the portal's stricter CSP, DENY framing
 * and same-origin referrer rule win over these defaults.
 */
export const hostSecureHeaders = secureHeaders({ overwrite: false });

/**
 * The same headers for answers written straight to Node's response (segment uploads bypass hono): taken
 * from the middleware's own answer once, so the two never drift apart.
 */
export async function nodeSecureHeaders(): Promise<[string, string][]> {
  const probe = new Hono().use(hostSecureHeaders).get('/', (c) => c.body(null, 204));
  const res = await probe.request('/');
  return [...res.headers.entries()];
}

export function applyHeaders(res: ServerResponse, headers: readonly [string, string][]): void {
  for (const [name, value] of headers) if (!res.hasHeader(name)) res.setHeader(name, value);
}
