import { createHash, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256:';

/**
 * Stored form of a workstation secret. A fast digest is enough here: the secret is 256 random bits chosen by
 * the agent, so there is nothing to guess that a slow password hash would protect.
 */
export function hashSecret(secret: string): string {
  return PREFIX + createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against its stored hash; false for a hash of unknown form. */
export function secretMatches(secret: string, stored: string): boolean {
  if (!stored.startsWith(PREFIX)) return false;
  const expected = Buffer.from(stored.slice(PREFIX.length), 'hex');
  const presented = createHash('sha256').update(secret, 'utf8').digest();
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}
