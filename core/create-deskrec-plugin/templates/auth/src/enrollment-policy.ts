import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  AuthDecision,
  AuthPolicy,
  PluginContext,
  WorkstationCredentials,
  WorkstationRecord,
  WorkstationStore,
} from '@deskrec/core';
import type { Options } from './options.js';

/** Auth policies declare no capabilities. */
export const CAPABILITIES: Record<string, never> = {};

/** A fast digest is enough: the secret is 256 random bits chosen by the agent, nothing to guess. */
const hash = (secret: string) => `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex')}`;

function matches(secret: string, stored: string): boolean {
  const a = Buffer.from(hash(secret));
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}

const admitted = (record: WorkstationRecord): AuthDecision => ({
  outcome: record.state,
  tenantId: record.tenantId,
  workstationId: record.workstationId,
});

/**
 * A working skeleton: the tenant token enrolls a new workstation as pending, its secret (stored hashed)
 * proves it on every later connection, and an enrolled workstation keeps working after a token reset.
 * Add your own rule (a directory lookup, an address allow-list) in `decide`.
 */
export class EnrollmentPolicy implements AuthPolicy {
  constructor(
    private readonly options: Options,
    _context?: PluginContext,
  ) {}

  async decide(credentials: WorkstationCredentials, store: WorkstationStore): Promise<AuthDecision> {
    if (credentials.workstationSecret.length < this.options.minSecretLength) {
      return {
        outcome: 'rejected',
        reason: 'invalid',
        message: `workstationSecret is too short: at least ${this.options.minSecretLength} characters are required`,
      };
    }
    const tenant = await store.findTenantByToken(credentials.tenantToken);
    if (!tenant) {
      const enrolled = (await store.findById(credentials.workstationId)).find((r) =>
        matches(credentials.workstationSecret, r.secretHash),
      );
      if (enrolled) return admitted(enrolled);
      return { outcome: 'rejected', reason: 'unknown-token', message: 'the tenant token is not valid' };
    }
    return this.decideIn(tenant.tenantId, credentials, store, true);
  }

  private async decideIn(
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
        secretHash: hash(workstationSecret),
        state: 'pending',
        computerName: credentials.computerName,
        ...(credentials.domain === undefined ? {} : { domain: credentials.domain }),
      });
      if (created) return { outcome: 'pending', tenantId, workstationId };
      // Another connection enrolled this id meanwhile: judge against its record.
      if (mayRetry) return this.decideIn(tenantId, credentials, store, false);
      return {
        outcome: 'rejected',
        reason: 'invalid',
        message: `${workstationId} could not be enrolled; try again`,
      };
    }
    if (!matches(workstationSecret, record.secretHash)) {
      await store.markConflict(tenantId, workstationId, credentials.remoteAddress);
      return {
        outcome: 'rejected',
        reason: 'secret-mismatch',
        message: `workstation ${workstationId} is enrolled with another secret`,
      };
    }
    return admitted(record);
  }
}
