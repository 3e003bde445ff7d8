import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-deskrec-timestamp';
export const SIGNATURE_HEADER = 'x-deskrec-signature';
const SCHEME = 'sha256=';

function digest(secret: string, timestamp: string, body: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/**
 * The `X-Deskrec-Signature` value for `body` sent at `timestamp` (Unix seconds):
 * `sha256=` + hex(HMAC-SHA256(secret, timestamp + "." + body)). Sign the exact bytes you send.
 */
export function signWebhook(
  secret: string,
  body: string | Uint8Array,
  timestamp: number = Math.floor(Date.now() / 1000),
): string {
  return SCHEME + digest(secret, String(timestamp), body).toString('hex');
}

/** Both headers a sender sets, plus the content type. */
export function signedHeaders(
  secret: string,
  body: string | Uint8Array,
  timestamp: number = Math.floor(Date.now() / 1000),
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-deskrec-timestamp': String(timestamp),
    'x-deskrec-signature': signWebhook(secret, body, timestamp),
  };
}

/**
 * The hex digests a signature header carries. Several comma-separated `sha256=` values are allowed so a
 * sender rotating its secret can sign with the old and the new one at once.
 */
export function parseSignatureHeader(header: string): Buffer[] {
  const digests: Buffer[] = [];
  for (const part of header.split(',')) {
    const value = part.trim();
    if (!value.startsWith(SCHEME)) continue;
    const hex = value.slice(SCHEME.length);
    if (/^[0-9a-f]{64}$/i.test(hex)) digests.push(Buffer.from(hex, 'hex'));
  }
  return digests;
}

/** True when one of `given` is the signature of `body` under one of `secrets`; compares in constant time. */
export function verifySignature(
  secrets: readonly string[],
  timestamp: string,
  body: Uint8Array,
  given: readonly Buffer[],
): boolean {
  return (
    matchSigner(
      secrets.map((secret) => ({ signer: true, secret })),
      timestamp,
      body,
      given,
    ) === true
  );
}

/**
 * Which signer's secret signed `body` (the first one listed whose secret matches), or undefined; every
 * secret is tried and compared in constant time, so the time taken does not tell which one matched.
 */
export function matchSigner<T>(
  signers: readonly { signer: T; secret: string }[],
  timestamp: string,
  body: Uint8Array,
  given: readonly Buffer[],
): T | undefined {
  let found: { signer: T } | undefined;
  for (const { signer, secret } of signers) {
    const expected = digest(secret, timestamp, body);
    for (const candidate of given) {
      if (timingSafeEqual(expected, candidate) && !found) found = { signer };
    }
  }
  return found?.signer;
}
