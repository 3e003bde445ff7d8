import { StorageError, type StorageErrorCode } from '@deskrec/core';
import { FTPError } from 'basic-ftp';

/** What a failing FTP reply 550 means depends on the command: missing for reads, refused for writes. */
export type Intent = 'read' | 'write';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EAI_AGAIN',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL|EPROTO/;

/** basic-ftp reports lost connections and timeouts as plain Errors starting with these texts. */
const CONNECTION_TEXT =
  /^(Timeout \(|Server sent FIN packet|Server closed connection|Socket closed due to transmission error|Client is closed)/;

function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function text(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).replace(/\s+/g, ' ').trim();
}

/** True when the control connection is probably gone, so the client must be dropped (and a fresh one may retry). */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof FTPError) return error.code === 421;
  if (error instanceof StorageError) return error.code === 'unavailable';
  const code = errnoCode(error);
  if (code && NETWORK_CODES.has(code)) return true;
  return CONNECTION_TEXT.test(text(error));
}

function ftpCode(code: number, intent: Intent): StorageErrorCode {
  if (code === 530 || code === 532) return 'auth';
  if (code === 550) return intent === 'read' ? 'not-found' : 'permission';
  if (code === 553) return 'permission';
  if (code === 500 || code === 501 || code === 502 || code === 504) return 'unsupported';
  if (code === 534 || code === 536) return 'misconfigured';
  // 4xx are transient by definition (421 closing, 425/426 data connection, 450/451/452 busy or full); 552 is a full quota.
  if ((code >= 400 && code < 500) || code === 552) return 'unavailable';
  return 'unknown';
}

/**
 * Maps a basic-ftp, socket or TLS failure onto core's classes. `what` names the operation and path
 * (e.g. "writing /rec/a.mp4"); messages carry the server's reply text, never credentials.
 */
export function toStorageError(error: unknown, what: string, intent: Intent): StorageError {
  if (error instanceof StorageError) return error;
  const detail = `${what}: ${text(error)}`;
  if (error instanceof FTPError) {
    // vsftpd reports internal failures (e.g. no free passive port) as "500 OOPS" and drops the session.
    const code = /^\d{3} OOPS/.test(error.message) ? 'unavailable' : ftpCode(error.code, intent);
    const prefix = code === 'permission' ? 'Permission denied: ' : '';
    return new StorageError(code, `${prefix}${detail}`, { cause: error });
  }
  const code = errnoCode(error);
  if (code && TLS_CODES.test(code)) {
    return new StorageError(
      'misconfigured',
      `${detail} (TLS: trust the server's CA with the "ca" option, or check "servername")`,
      { cause: error },
    );
  }
  if (code === 'ENOTFOUND')
    return new StorageError('misconfigured', `${detail} (unknown host)`, { cause: error });
  if (isConnectionError(error)) return new StorageError('unavailable', detail, { cause: error });
  return new StorageError('unknown', detail, { cause: error });
}

/** Whether a reply code means the path does not exist (or is not a plain file) rather than a failure. */
export function isMissing(error: unknown): boolean {
  return error instanceof FTPError && error.code === 550;
}

/** Whether a reply refuses a write for lack of permission (550 on a write, 553 name not allowed). */
export function isRefusal(error: unknown): boolean {
  return error instanceof FTPError && (error.code === 550 || error.code === 553);
}
