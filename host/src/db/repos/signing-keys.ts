import { createHash, generateKeyPairSync } from 'node:crypto';
import { type Clock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

export interface ActiveSigningKey {
  id: string;
  privateKey: string;
}

/** The id a manifest names its key by: a fingerprint of the public key, so it cannot name another. */
export function signingKeyId(publicKeyPem: string): string {
  const der = Buffer.from(publicKeyPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/**
 * The host's Ed25519 manifest-signing keys. One is active (all hosts of a cluster share it); a rotation
 * retires it, dropping its private half and keeping the public one, so older manifests still verify.
 * Host-wide, not per tenant: the key vouches for the host, and no tenant's data is read here.
 */
@injectable()
export class SigningKeysRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** The active key, made on first use. Two hosts making one at once both end up using the older. */
  async active(): Promise<ActiveSigningKey> {
    const found = await this.current();
    if (found) return found;
    await this.create();
    const made = await this.current();
    if (!made) throw new Error('No active signing key after creating one');
    return made;
  }

  /** Retires the active key (its public half stays for verification) and makes a new one. */
  async rotate(): Promise<string> {
    await this.db
      .updateTable('signing_keys')
      .set({ retired_at: this.clock.now(), private_key: null })
      .where('retired_at', 'is', null)
      .execute();
    return this.create();
  }

  /** SPKI PEM of the key with this id, retired or not. */
  async publicKey(id: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('signing_keys')
      .select('public_key')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.public_key;
  }

  private async current(): Promise<ActiveSigningKey | undefined> {
    const row = await this.db
      .selectFrom('signing_keys')
      .select(['id', 'private_key'])
      .where('retired_at', 'is', null)
      .where('private_key', 'is not', null)
      .orderBy('created_at')
      .orderBy('id')
      .executeTakeFirst();
    return row?.private_key ? { id: row.id, privateKey: row.private_key } : undefined;
  }

  private async create(): Promise<string> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const id = signingKeyId(publicKey);
    await this.db
      .insertInto('signing_keys')
      .values({
        id,
        public_key: publicKey,
        private_key: privateKey,
        created_at: this.clock.now(),
        retired_at: null,
      })
      .execute();
    return id;
  }
}
