import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { StorageError } from '@deskrec/core';
import { Client, enterPassiveModeIPv4, enterPassiveModeIPv6 } from 'basic-ftp';
import { toStorageError } from './errors.js';
import type { FtpStorageOptions } from './options.js';

/** Where and as whom we connect, for messages: never includes the password. */
export function describeServer(options: FtpStorageOptions): string {
  return `${options.user}@${options.host}:${portOf(options)}`;
}

export function portOf(options: FtpStorageOptions): number {
  return options.port ?? (options.secure === 'implicit' ? 990 : 21);
}

/** Reads the `ca` option: PEM text as is, anything else as the path of a PEM file. */
export function loadCa(ca: string | undefined): string | undefined {
  if (ca === undefined) return undefined;
  if (ca.includes('-----BEGIN')) return ca;
  try {
    return readFileSync(ca, 'utf8');
  } catch (error) {
    throw new StorageError(
      'misconfigured',
      `ca: cannot read the CA file ${ca}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export function tlsOptionsOf(options: FtpStorageOptions, ca: string | undefined): ConnectionOptions {
  return {
    host: options.host,
    rejectUnauthorized: !options.skipCertificateVerification,
    ...(ca ? { ca } : {}),
    ...(options.servername ? { servername: options.servername } : {}),
  };
}

/** TLS handshakes that broke on the wire (not certificate checks) are retried: some servers race AUTH TLS. */
const HANDSHAKE_ATTEMPTS = 2;

function brokenHandshake(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_SSL_');
}

/**
 * Opens one logged-in, binary-mode client. Each step is classified on its own, so a TLS failure or a refused
 * AUTH TLS is not mistaken for a wrong password.
 */
export async function connectClient(options: FtpStorageOptions, tls: ConnectionOptions): Promise<Client> {
  for (let attempt = 1; ; attempt++) {
    const client = new Client(options.timeoutMs);
    if (options.passive === 'epsv') client.prepareTransfer = enterPassiveModeIPv6;
    if (options.passive === 'pasv') client.prepareTransfer = enterPassiveModeIPv4;
    const server = `${options.host}:${portOf(options)}`;
    let step = `Cannot connect to ${server}`;
    try {
      if (options.secure === 'implicit') {
        await client.connectImplicitTLS(options.host, portOf(options), { ...tls });
      } else {
        await client.connect(options.host, portOf(options));
      }
      if (options.secure === 'explicit') {
        step = `Explicit FTPS (AUTH TLS) with ${server} failed`;
        await client.useTLS({ ...tls });
      }
      step = `Login as "${options.user}" on ${server} failed`;
      await client.sendIgnoringError('OPTS UTF8 ON');
      await client.login(options.user, options.password);
      step = `Setting up the session on ${server} failed`;
      await client.useDefaultSettings();
      return client;
    } catch (error) {
      client.close();
      if (options.secure !== 'none' && brokenHandshake(error) && attempt < HANDSHAKE_ATTEMPTS) continue;
      throw classifyConnectError(error, step, options.password);
    }
  }
}

function classifyConnectError(error: unknown, step: string, password: string): StorageError {
  const mapped = toStorageError(error, step, 'write');
  // Server replies rarely echo credentials, but a message must never carry the password.
  const message = password.length >= 4 ? mapped.message.split(password).join('***') : mapped.message;
  // A server refusing AUTH TLS answers 5xx: that is a setting to change, not a permission problem.
  if (step.startsWith('Explicit') && mapped.code !== 'unavailable' && mapped.code !== 'misconfigured') {
    return new StorageError('misconfigured', `${message} (does the server offer explicit FTPS?)`, {
      cause: error,
    });
  }
  return message === mapped.message ? mapped : new StorageError(mapped.code, message, { cause: error });
}
