import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

const IdentitySchema = z.object({
  workstationId: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  workstationSecret: z.string().min(43),
  createdAt: z.string(),
});

export type WorkstationIdentity = z.output<typeof IdentitySchema>;

/**
 * The workstation's id and secret: generated on first start (the secret has 256 random bits), kept in a
 * file only its owner can read. The host stores only a hash of the secret.
 */
export async function loadOrCreateIdentity(dataDir: string): Promise<WorkstationIdentity> {
  const file = path.join(dataDir, 'identity.json');
  try {
    const parsed = IdentitySchema.safeParse(JSON.parse(await fs.readFile(file, 'utf8')));
    if (parsed.success) return parsed.data;
    throw new Error(
      `${file} is damaged: ${parsed.error.issues[0]?.message}; delete it to enroll as a new workstation`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const identity: WorkstationIdentity = {
    workstationId: `ws_${randomBytes(16).toString('hex')}`,
    workstationSecret: randomBytes(32).toString('base64url'),
    createdAt: new Date().toISOString(),
  };
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, JSON.stringify(identity, null, 2), { mode: 0o600, flag: 'wx' });
  await fs.rename(temp, file);
  return identity;
}
