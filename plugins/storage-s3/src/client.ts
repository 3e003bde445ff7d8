import { S3Client } from '@aws-sdk/client-s3';
import type { S3StorageOptions } from './options.js';

/** Seconds to open a TCP connection, and of socket silence, before a request counts as failed (retryable). */
const CONNECT_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 120_000;

/** One client per target: it keeps the connection pool. Credentials come from the options or the AWS chain. */
export function createS3Client(options: S3StorageOptions): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle,
    ...(options.accessKeyId && options.secretAccessKey
      ? {
          credentials: {
            accessKeyId: options.accessKeyId,
            secretAccessKey: options.secretAccessKey,
            ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
          },
        }
      : {}),
    // Without `checksum` the SDK would still add CRC32 headers by default, which some S3-compatible services reject.
    requestChecksumCalculation: options.checksum ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
    responseChecksumValidation: options.checksum ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      requestTimeout: SOCKET_TIMEOUT_MS,
    },
  });
}

/** How errors and check() name the service: the endpoint, or Amazon S3 and its region. */
export function serviceName(options: S3StorageOptions): string {
  return options.endpoint ? `S3 endpoint ${options.endpoint}` : `Amazon S3 (${options.region})`;
}
