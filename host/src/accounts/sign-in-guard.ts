import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';

export interface SignInGuardOptions {
  /** Failed sign-ins to one account before it is locked; each further failure doubles the lock. */
  accountFailures: number;
  /** First lock of an account, in seconds; doubled per further failure up to `maxLockSeconds`. */
  lockSeconds: number;
  maxLockSeconds: number;
  /** Failed sign-ins from one address within `ipWindowSeconds` before the address is locked. */
  ipFailures: number;
  ipWindowSeconds: number;
  ipLockSeconds: number;
}

export const DEFAULT_SIGN_IN_GUARD: SignInGuardOptions = {
  accountFailures: 5,
  lockSeconds: 30,
  maxLockSeconds: 15 * 60,
  ipFailures: 30,
  ipWindowSeconds: 10 * 60,
  ipLockSeconds: 15 * 60,
};

export type SignInVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'account' | 'address'; retryAfterSeconds: number };

const retryAfter = (res: RateLimiterRes | null) => Math.max(1, Math.ceil((res?.msBeforeNext ?? 0) / 1000));

/**
 * Slows password guessing per account and per address (rate-limiter-flexible, in this host's memory): an
 * account locks after a few consecutive failures, with a lock that doubles each further failure, and an
 * address that fails often is locked for every account. A locked sign-in is refused even with the right
 * password, so guessing cannot go on during the lock.
 */
export class SignInGuard {
  private readonly failures: RateLimiterMemory;
  private readonly accountLocks: RateLimiterMemory;
  private readonly addresses: RateLimiterMemory;

  constructor(private readonly options: SignInGuardOptions = DEFAULT_SIGN_IN_GUARD) {
    // Consecutive failures are remembered for a day; a success clears them.
    this.failures = new RateLimiterMemory({ points: Number.MAX_SAFE_INTEGER, duration: 24 * 3600 });
    this.accountLocks = new RateLimiterMemory({ points: 1, duration: 1 });
    this.addresses = new RateLimiterMemory({
      points: options.ipFailures,
      duration: options.ipWindowSeconds,
      blockDuration: options.ipLockSeconds,
    });
  }

  async check(account: string, address: string | null): Promise<SignInVerdict> {
    const lock = await this.accountLocks.get(account);
    if (lock && lock.consumedPoints > 1 && lock.msBeforeNext > 0) {
      return { allowed: false, reason: 'account', retryAfterSeconds: retryAfter(lock) };
    }
    if (address) {
      const seen = await this.addresses.get(address);
      if (seen && seen.consumedPoints > this.options.ipFailures && seen.msBeforeNext > 0) {
        return { allowed: false, reason: 'address', retryAfterSeconds: retryAfter(seen) };
      }
    }
    return { allowed: true };
  }

  /** Records a failure; returns the consecutive failures of the account and the lock it now has, if any. */
  async failed(
    account: string,
    address: string | null,
  ): Promise<{ failures: number; lockedForSeconds?: number }> {
    if (address) await this.addresses.consume(address).catch(() => undefined);
    const { consumedPoints: failures } = await this.failures.consume(account);
    const over = failures - this.options.accountFailures;
    if (over < 0) return { failures };
    const seconds = Math.min(this.options.lockSeconds * 2 ** over, this.options.maxLockSeconds);
    await this.accountLocks.block(account, seconds);
    return { failures, lockedForSeconds: seconds };
  }

  async succeeded(account: string): Promise<void> {
    await this.failures.delete(account);
    await this.accountLocks.delete(account);
  }
}
