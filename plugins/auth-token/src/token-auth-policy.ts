import type {
  AuthDecision,
  AuthPolicy,
  WorkstationCredentials,
  WorkstationRecord,
  WorkstationStore,
} from '@deskrec/core';
import type { TokenAuthOptions } from './options.js';
import { hashSecret, secretMatches } from './secret-hash.js';

const rejected = (
  reason: 'unknown-token' | 'secret-mismatch' | 'invalid',
  message: string,
): AuthDecision => ({
  outcome: 'rejected',
  reason,
  message,
});

const admitted = (record: WorkstationRecord): AuthDecision => ({
  outcome: record.state,
  tenantId: record.tenantId,
  workstationId: record.workstationId,
});

/**
 * Enrollment by tenant token plus a per-workstation secret: the token lets a new workstation in as pending,
 * the secret (kept only as a hash) proves it is the same machine on every later connection.
 */
export class TokenAuthPolicy implements AuthPolicy {
  constructor(private readonly options: TokenAuthOptions) {}

  async decide(credentials: WorkstationCredentials, store: WorkstationStore): Promise<AuthDecision> {
    if (credentials.workstationSecret.length < this.options.minSecretLength) {
      return rejected(
        'invalid',
        `workstationSecret is too short: at least ${this.options.minSecretLength} characters (256 random bits) are required`,
      );
    }
    const tenant = await store.findTenantByToken(credentials.tenantToken);
    if (tenant) return this.decideInTenant(tenant.tenantId, credentials, store, true);
    return this.decideWithoutToken(credentials, store);
  }

  private async decideInTenant(
    tenantId: string,
    credentials: WorkstationCredentials,
    store: WorkstationStore,
    mayRetry: boolean,
  ): Promise<AuthDecision> {
    const { workstationId, workstationSecret } = credentials;
    const record = await store.find(tenantId, workstationId);
    if (!record) {
      const created = await store.createPending({
        tenantId,
        workstationId,
        secretHash: hashSecret(workstationSecret),
        state: 'pending',
        computerName: credentials.computerName,
        ...(credentials.domain === undefined ? {} : { domain: credentials.domain }),
      });
      if (created) return { outcome: 'pending', tenantId, workstationId };
      // Another connection with this id enrolled meanwhile: judge against its record.
      if (mayRetry) return this.decideInTenant(tenantId, credentials, store, false);
      return rejected('invalid', `workstation ${workstationId} could not be enrolled; try again`);
    }
    if (!secretMatches(workstationSecret, record.secretHash)) {
      await store.markConflict(tenantId, workstationId, credentials.remoteAddress);
      return rejected(
        'secret-mismatch',
        `workstation ${workstationId} is enrolled with another secret; a copied or reinstalled agent needs a new workstation id`,
      );
    }
    return admitted(record);
  }

  /** The token matches no tenant: only an enrolled workstation (a token reset since) may still come in. */
  private async decideWithoutToken(
    credentials: WorkstationCredentials,
    store: WorkstationStore,
  ): Promise<AuthDecision> {
    const unknown = rejected(
      'unknown-token',
      'the tenant token is not valid (it may have been reset); install the agent with the current token',
    );
    if (!this.options.admitEnrolledAfterTokenReset) return unknown;
    const records = await store.findById(credentials.workstationId);
    // No conflict is recorded here: without a valid token the caller proved nothing worth reporting.
    const match = records.find((record) => secretMatches(credentials.workstationSecret, record.secretHash));
    return match ? admitted(match) : unknown;
  }
}
