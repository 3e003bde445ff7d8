import type { ControllerAddress } from '../config/address.js';

/** Why the last attempt to reach one controller failed, in words an admin can act on. */
export interface ConnectionProblem {
  /** Stable per cause, so a repeated failure is recognised as the same one. */
  kind:
    | 'dns'
    | 'refused'
    | 'timeout'
    | 'not-tls'
    | 'tls-expected'
    | 'pin'
    | 'untrusted'
    | 'client-cert'
    | 'refused-by-host'
    | 'other';
  message: string;
}

const where = (a: ControllerAddress) => `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;

/** Turns a socket, TLS or WebSocket error into one sentence that names the address and the likely fix. */
export function describeConnectionError(
  error: Error & { code?: string },
  address: ControllerAddress,
  tls: boolean,
): ConnectionProblem {
  const at = where(address);
  const code = error.code ?? '';
  const text = error.message;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME')
    return { kind: 'dns', message: `${address.host} does not resolve (DNS ${code}); check SERVER1/SERVER2` };
  if (code === 'ECONNREFUSED')
    return {
      kind: 'refused',
      message: `${at} refused the connection: is the host running and is ${address.port} its controller ${tls ? 'TLS' : 'TCP'} port?`,
    };
  if (code === 'ETIMEDOUT' || /timed out|handshake timeout/i.test(text))
    return { kind: 'timeout', message: `${at} did not answer in time (firewall, or wrong address?)` };
  if (/pinned|certificate changed/i.test(text)) return { kind: 'pin', message: `${at}: ${text}` };
  if (tls && /wrong version number|packet length too long|ERR_SSL_WRONG_VERSION/i.test(`${code} ${text}`))
    return {
      kind: 'not-tls',
      message: `${at} does not speak TLS: USE_SSL is 1 but this looks like the plain port; use the TLS port (6092) or set USE_SSL=0`,
    };
  if (
    /certificate required|alert number 116|handshake failure|alert bad certificate|unknown ca/i.test(text) &&
    tls
  )
    return {
      kind: 'client-cert',
      message: `${at} requires a client certificate this agent did not present or the host does not trust (${text.trim()}); set controller.tlsCert and controller.tlsKey (DESKREC_TLS_CERT / DESKREC_TLS_KEY)`,
    };
  if (tls && /self[- ]signed|unable to verify|unable to get|CERT_|certificate/i.test(`${code} ${text}`))
    return {
      kind: 'untrusted',
      message: `${at}: the host certificate is not trusted (${text}); check controller.caFile or use controller.fingerprint`,
    };
  if (
    !tls &&
    (code === 'ECONNRESET' || /socket hang up|Unexpected server response|Invalid WebSocket frame/i.test(text))
  )
    return {
      kind: 'tls-expected',
      message: `${at} did not answer as a plain controller (${text}): if it is the TLS port (6092), set USE_SSL=1`,
    };
  return { kind: 'other', message: `${at}: ${text}${code && !text.includes(code) ? ` (${code})` : ''}` };
}

/**
 * Writes one console line per distinct problem per controller and one when the connection comes back, so a
 * failing agent says what is wrong once instead of on every retry.
 */
export class ConnectionReporter {
  private readonly last = new Map<string, string>();

  constructor(private readonly write: (line: string) => void) {}

  private connectedTo: string | undefined;

  problem(address: ControllerAddress, problem: ConnectionProblem): void {
    const key = where(address);
    if (this.last.get(key) === problem.message) return;
    this.last.set(key, problem.message);
    this.connectedTo = undefined;
    this.write(`deskrec-agent: cannot connect to the controller: ${problem.message}; retrying with backoff`);
  }

  connected(address: ControllerAddress): void {
    const key = where(address);
    this.last.clear();
    if (this.connectedTo === key) return;
    this.connectedTo = key;
    this.write(`deskrec-agent: connected to the controller at ${key}`);
  }
}
