import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 hex: enough for random 128+ bit tokens (no dictionary to guess from, so no slow hash needed). */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A random token of `bytes` bytes (default 16 = 128 bits), as hex. */
export function newToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** Shown instead of a stored secret: enough to recognise it, useless to an attacker. */
export function tokenHint(token: string): string {
  return `${token.slice(0, 4)}…`;
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}
