export type WorkstationState = 'pending' | 'authorized' | 'forbidden';

/** What a connecting workstation presents. Secrets arrive in the clear over the (TLS) channel, never stored so. */
export interface WorkstationCredentials {
  tenantToken: string;
  workstationId: string;
  workstationSecret: string;
  computerName: string;
  domain?: string;
  remoteAddress?: string;
}

export type AuthDecision =
  | {
      outcome: 'authorized' | 'pending' | 'forbidden';
      tenantId: string;
      workstationId: string;
    }
  | {
      outcome: 'rejected';
      reason: 'unknown-token' | 'secret-mismatch' | 'invalid';
      message: string;
    };

/** Stored facts about a workstation the policy needs; the host provides them through `WorkstationStore`. */
export interface WorkstationRecord {
  tenantId: string;
  workstationId: string;
  secretHash: string;
  state: WorkstationState;
}

/** The narrow persistence surface an auth plugin gets from the host (implemented over the database). */
export interface WorkstationStore {
  /** The tenant whose current screen-recording token matches, or undefined. */
  findTenantByToken(token: string): Promise<{ tenantId: string } | undefined>;
  find(tenantId: string, workstationId: string): Promise<WorkstationRecord | undefined>;
  /**
   * Every tenant's record with this workstation id (ids are random and agent-generated, so normally at most
   * one). Lets a policy keep admitting an enrolled workstation after its tenant's token was reset.
   */
  findById(workstationId: string): Promise<readonly WorkstationRecord[]>;
  /** Inserts a new pending workstation; returns false if one with the id appeared meanwhile. */
  createPending(record: WorkstationRecord & { computerName: string; domain?: string }): Promise<boolean>;
  /** Records that a connection presented a known id with the wrong secret. */
  markConflict(tenantId: string, workstationId: string, remoteAddress?: string): Promise<void>;
}

/** Decides what a connecting workstation may do. */
export interface AuthPolicy {
  decide(credentials: WorkstationCredentials, store: WorkstationStore): Promise<AuthDecision>;
}
