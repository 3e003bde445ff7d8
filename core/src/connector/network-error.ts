import type { NetworkErrorKind } from '../ports/call-event-source.js';

const BY_CODE: Record<string, NetworkErrorKind> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  EHOSTUNREACH: 'timeout',
  ENETUNREACH: 'timeout',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EAI_NONAME: 'dns',
  EAI_FAIL: 'dns',
};

/** A login or password the PBX refused: raise it from a connector so health says `auth`, not `closed`. */
export class ConnectorAuthError extends Error {
  readonly kind = 'auth' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ConnectorAuthError';
  }
}

/**
 * Sorts an error from a socket (or a connector) into the classes health reports: refused, reset, timeout,
 * DNS, TLS, auth. Node's error codes decide; TLS errors are recognised by their OpenSSL-style codes.
 */
export function classifyNetworkError(error: unknown): NetworkErrorKind {
  if (error instanceof ConnectorAuthError) return 'auth';
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    const known = BY_CODE[code];
    if (known) return known;
    if (
      code.startsWith('ERR_TLS') ||
      code.startsWith('ERR_SSL') ||
      code.includes('CERT') ||
      code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
      code === 'SELF_SIGNED_CERT_IN_CHAIN'
    )
      return 'tls';
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/certificate|ssl|tls/i.test(message)) return 'tls';
  return 'other';
}

/** `refused: connect ECONNREFUSED 127.0.0.1:5038`: the class first, for logs and health. */
export function describeNetworkError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${classifyNetworkError(error)}: ${message}`;
}
