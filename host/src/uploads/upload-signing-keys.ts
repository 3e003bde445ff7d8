import { randomBytes } from 'node:crypto';
import { type Clock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import {
  keyIdOf,
  signUploadToken,
  type UploadClaims,
  type Verified,
  verifyUploadToken,
} from './upload-token.js';

/** How long a signed token may re-create the rows of a capture the database lost (ADR 14). */
export const RECOVERY_WINDOW_MS = 30 * 24 * 3_600_000;

/**
 * The keys upload tokens are signed with, kept in the database so every host of the installation verifies
 * what any of them issued. The first host to start creates one; tokens are signed with the newest.
 */
@injectable()
export class UploadSigningKeys {
  private readonly secrets = new Map<string, Buffer>();
  private current?: { id: string; secret: Buffer };

  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  /** Loads the newest key, creating the installation's first one if there is none. */
  async start(): Promise<void> {
    let row = await this.newest();
    if (!row) {
      await this.db
        .insertInto('upload_signing_keys')
        .values({
          id: randomBytes(8).toString('hex'),
          secret: randomBytes(32).toString('base64url'),
          created_at: this.clock.now(),
        })
        .execute();
      // Another host may have created one at the same moment: both are valid, the newest signs.
      row = await this.newest();
    }
    this.current = { id: row!.id, secret: Buffer.from(row!.secret, 'base64url') };
    this.secrets.set(this.current.id, this.current.secret);
  }

  /** A token for a capture about to be started: synchronous, so `capture.start` waits for no database. */
  issue(claims: Omit<UploadClaims, 'issuedAt' | 'expiresAt'>): string {
    if (!this.current) throw new Error('upload signing keys are not loaded yet (start() first)');
    const issuedAt = this.clock.now();
    const expiresAt = new Date(issuedAt.getTime() + RECOVERY_WINDOW_MS);
    return signUploadToken(this.current.id, this.current.secret, { ...claims, issuedAt, expiresAt });
  }

  /** Undefined when `token` is not a signed one (an older random token, looked up by its hash). */
  async verify(token: string): Promise<Verified | undefined> {
    const keyId = keyIdOf(token);
    if (!keyId) return undefined;
    const secret = this.secrets.get(keyId) ?? (await this.load(keyId));
    if (!secret) return { ok: false, reason: 'the upload token is not valid: it names an unknown key' };
    return verifyUploadToken(token, secret);
  }

  private async load(keyId: string): Promise<Buffer | undefined> {
    const row = await this.db
      .selectFrom('upload_signing_keys')
      .select('secret')
      .where('id', '=', keyId)
      .executeTakeFirst();
    if (!row) return undefined;
    const secret = Buffer.from(row.secret, 'base64url');
    this.secrets.set(keyId, secret);
    return secret;
  }

  private newest() {
    return this.db
      .selectFrom('upload_signing_keys')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
  }
}
