import { createHash } from 'node:crypto';

/** The fingerprint of a raw SSH public key blob, as OpenSSH prints it: `SHA256:` + unpadded base64. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Accepts the forms admins paste (with or without `SHA256:`, with or without `=` padding). */
export function normalizeFingerprint(value: string): string {
  const bare = value
    .trim()
    .replace(/^SHA256:/, '')
    .replace(/=+$/, '');
  return `SHA256:${bare}`;
}
