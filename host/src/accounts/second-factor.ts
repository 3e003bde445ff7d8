import type { SecondFactorRepo } from '../db/repos/second-factor.js';
import { matchingStep, recoveryCodeDigest, TOTP_CODE } from './totp.js';

export type SecondFactorUsed = 'totp' | 'recovery-code';

/**
 * Checks a code against the user's confirmed second factor: a 6-digit TOTP code (each one works once), or
 * else one of the recovery codes (spent on use). Undefined when neither matches.
 */
export async function checkSecondFactor(
  repo: SecondFactorRepo,
  tenantId: string,
  userId: string,
  code: string,
  now: Date,
): Promise<SecondFactorUsed | undefined> {
  const record = await repo.get(tenantId, userId);
  if (!record?.confirmedAt) return undefined;
  const typed = code.trim();
  if (TOTP_CODE.test(typed)) {
    const step = matchingStep(record.secret, typed, now);
    return step !== undefined && (await repo.acceptStep(tenantId, userId, step)) ? 'totp' : undefined;
  }
  return (await repo.useRecoveryCode(tenantId, userId, recoveryCodeDigest(typed), now))
    ? 'recovery-code'
    : undefined;
}
