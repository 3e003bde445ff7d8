import { createHash } from 'node:crypto';

/** How an upload token is stored: its SHA-256, hex. */
export const hashUploadToken = (token: string) => createHash('sha256').update(token).digest('hex');
