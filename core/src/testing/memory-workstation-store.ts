import { createHash, timingSafeEqual } from 'node:crypto';
import type { WorkstationRecord, WorkstationState, WorkstationStore } from '../ports/auth-policy.js';

/** A stored workstation as the memory store keeps it (what the host's database holds, minus presence). */
export interface StoredWorkstation extends WorkstationRecord {
  computerName: string;
  domain?: string;
}

export interface RecordedConflict {
  tenantId: string;
  workstationId: string;
  remoteAddress?: string;
  at: Date;
}

const digest = (token: string) => createHash('sha256').update(token).digest();
const keyOf = (tenantId: string, workstationId: string) => `${tenantId}\u0000${workstationId}`;
/** Lets other calls run between the steps of one, as they would against a real database. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The reference WorkstationStore: tenants and workstations live in memory. The auth-policy kit runs against
 * it, and host tests build on it; the admin-side helpers (`addTenant`, `resetToken`, `setState`, `delete`)
 * play the portal. Tenant tokens are kept as SHA-256 digests, like the host's database keeps them.
 */
export class MemoryWorkstationStore implements WorkstationStore {
  readonly conflicts: RecordedConflict[] = [];
  private readonly tokens = new Map<string, Buffer>();
  private readonly records = new Map<string, StoredWorkstation>();

  addTenant(tenantId: string, token: string): this {
    this.tokens.set(tenantId, digest(token));
    return this;
  }

  /** The admin's "reset token": the old token stops matching at once. */
  resetToken(tenantId: string, token: string): void {
    if (!this.tokens.has(tenantId)) throw new Error(`unknown tenant ${tenantId}`);
    this.tokens.set(tenantId, digest(token));
  }

  /** Inserts or replaces a record directly, e.g. to start a test with enrolled workstations. */
  put(record: StoredWorkstation): void {
    this.records.set(keyOf(record.tenantId, record.workstationId), { ...record });
  }

  setState(tenantId: string, workstationId: string, state: WorkstationState): void {
    const record = this.records.get(keyOf(tenantId, workstationId));
    if (!record) throw new Error(`unknown workstation ${tenantId}/${workstationId}`);
    record.state = state;
  }

  delete(tenantId: string, workstationId: string): boolean {
    return this.records.delete(keyOf(tenantId, workstationId));
  }

  /** A copy of the stored record, for assertions. */
  get(tenantId: string, workstationId: string): StoredWorkstation | undefined {
    const record = this.records.get(keyOf(tenantId, workstationId));
    return record && { ...record };
  }

  list(): StoredWorkstation[] {
    return [...this.records.values()].map((record) => ({ ...record }));
  }

  async findTenantByToken(token: string): Promise<{ tenantId: string } | undefined> {
    await tick();
    const presented = digest(token);
    for (const [tenantId, stored] of this.tokens) {
      if (timingSafeEqual(stored, presented)) return { tenantId };
    }
    return undefined;
  }

  async find(tenantId: string, workstationId: string): Promise<WorkstationRecord | undefined> {
    await tick();
    return this.get(tenantId, workstationId);
  }

  async findById(workstationId: string): Promise<readonly WorkstationRecord[]> {
    await tick();
    return this.list().filter((record) => record.workstationId === workstationId);
  }

  async createPending(
    record: WorkstationRecord & { computerName: string; domain?: string },
  ): Promise<boolean> {
    await tick();
    const key = keyOf(record.tenantId, record.workstationId);
    if (this.records.has(key)) return false;
    this.records.set(key, { ...record });
    return true;
  }

  async markConflict(tenantId: string, workstationId: string, remoteAddress?: string): Promise<void> {
    await tick();
    this.conflicts.push({
      tenantId,
      workstationId,
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
      at: new Date(),
    });
  }
}
