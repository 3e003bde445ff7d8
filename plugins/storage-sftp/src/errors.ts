import { StorageError } from '@deskrec/core';

/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02) as ssh2 reports them in `error.code`. */
const SFTP_STATUS = {
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_NOT_CONNECTED',
]);

/** Messages ssh2 and ssh2-sftp-client use when the connection is gone or never came up. */
const NETWORK_MESSAGES =
  /No response from server|Timed out while waiting for handshake|Keepalive timeout|Unexpected (close|end) event|Not connected|No SFTP connection|Connection lost|socket hang up|channel (is )?(closed|not open)|Write after end|stream destroyed|premature close/i;

const AUTH_MESSAGES = /All configured authentication methods failed|authentication failed/i;

export interface ErrorContext {
  /** What was being done, e.g. `writing 2024/a.mp4`. */
  what: string;
  /** The remote path involved, named in permission and not-found errors. */
  path?: string;
  /** `user@host:port`, named in auth and network errors; never the secret. */
  endpoint: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Maps ssh2 / ssh2-sftp-client / SFTP status failures onto core's storage failure classes. */
export function toStorageError(error: unknown, context: ErrorContext): StorageError {
  if (error instanceof StorageError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = messageOf(error);
  const where = context.path ? ` (${context.path})` : '';
  const detail = `${context.what}${where} on ${context.endpoint}: ${message}`;
  if (code === SFTP_STATUS.NO_SUCH_FILE || code === 'ENOENT') {
    return new StorageError('not-found', `Not found: ${detail}`, { cause: error });
  }
  if (code === SFTP_STATUS.PERMISSION_DENIED || code === 'EACCES' || code === 'EPERM') {
    return new StorageError('permission', `Permission denied: ${detail}`, { cause: error });
  }
  if (code === SFTP_STATUS.OP_UNSUPPORTED) {
    return new StorageError('unsupported', `Not supported by the server: ${detail}`, { cause: error });
  }
  if (AUTH_MESSAGES.test(message)) {
    return new StorageError(
      'auth',
      `Authentication failed for ${context.endpoint}: the server refused the configured password or key`,
      { cause: error },
    );
  }
  if (
    code === SFTP_STATUS.NO_CONNECTION ||
    code === SFTP_STATUS.CONNECTION_LOST ||
    (typeof code === 'string' && NETWORK_CODES.has(code)) ||
    NETWORK_MESSAGES.test(message)
  ) {
    return new StorageError('unavailable', `Connection problem: ${detail}`, { cause: error });
  }
  return new StorageError('unknown', detail, { cause: error });
}

/** The refusal of a host key that differs from the pinned one; never retried, an admin must look. */
export function hostKeyMismatch(endpoint: string, expected: string, actual: string): StorageError {
  return new StorageError(
    'auth',
    `Host key of ${endpoint} does not match the pinned fingerprint: expected ${expected}, got ${actual}; refusing to connect (if the server's key was changed on purpose, update hostKeyFingerprint)`,
  );
}
