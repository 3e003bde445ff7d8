import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

export interface TotpRecord {
  secret: string;
  confirmedAt: Date | null;
  lastStep: number | null;
}

/** Admins' TOTP second factor and their one-time recovery codes; every query names the tenant. */
@injectable()
export class SecondFactorRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  async get(tenantId: string, userId: string): Promise<TotpRecord | undefined> {
    const row = await this.db
      .selectFrom('admin_totp')
      .select(['secret', 'confirmed_at', 'last_step'])
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      secret: row.secret,
      confirmedAt: row.confirmed_at ? new Date(row.confirmed_at) : null,
      lastStep: row.last_step === null ? null : Number(row.last_step),
    };
  }

  /** Whether the user signs in with a second factor (an enrolment not yet confirmed does not count). */
  async enabled(tenantId: string, userId: string): Promise<boolean> {
    return !!(await this.get(tenantId, userId))?.confirmedAt;
  }

  /** Starts (or restarts) an enrolment with a new secret; a confirmed factor is left alone. */
  async startEnrolment(tenantId: string, userId: string, secret: string, now: Date): Promise<void> {
    await this.db
      .insertInto('admin_totp')
      .values({ user_id: userId, tenant_id: tenantId, secret, created_at: now })
      .onConflict((oc) =>
        oc
          .column('user_id')
          .doUpdateSet({ secret, created_at: now, last_step: null })
          .where('admin_totp.confirmed_at', 'is', null)
          .where('admin_totp.tenant_id', '=', tenantId),
      )
      .execute();
  }

  /**
   * Records `step` as used if it is newer than the last one accepted: false when the code was used already
   * (also when two requests race with the same code, one wins).
   */
  async acceptStep(tenantId: string, userId: string, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('admin_totp')
      .set({ last_step: step })
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Confirms the enrolment and replaces the recovery codes with these (digests only). */
  async confirm(tenantId: string, userId: string, codeHashes: readonly string[], now: Date): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('admin_totp')
        .set({ confirmed_at: now })
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
      await trx
        .deleteFrom('admin_recovery_codes')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
      await trx
        .insertInto('admin_recovery_codes')
        .values(codeHashes.map((code_hash) => ({ user_id: userId, tenant_id: tenantId, code_hash })))
        .execute();
    });
  }

  /** Spends a recovery code: true once per code, false for an unknown or spent one. */
  async useRecoveryCode(tenantId: string, userId: string, codeHash: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('admin_recovery_codes')
      .set({ used_at: now })
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async recoveryCodesLeft(tenantId: string, userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('admin_recovery_codes')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Removes the factor and its recovery codes. */
  async remove(tenantId: string, userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('admin_recovery_codes')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
      await trx
        .deleteFrom('admin_totp')
        .where('tenant_id', '=', tenantId)
        .where('user_id', '=', userId)
        .execute();
    });
  }
}
