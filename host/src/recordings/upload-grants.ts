import { createHash, randomBytes } from 'node:crypto';

/** How an upload token is stored: its SHA-256, hex. */
export const hashUploadToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh upload token for one recording: 256 random bits, stored only as a hash. */
export function newUploadToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashUploadToken(token) };
}
