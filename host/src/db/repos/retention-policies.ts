import { randomUUID } from 'node:crypto';
import { type Clock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database, RetentionPolicyRow } from '../schema.js';

export interface RetentionPolicy {
  id: string;
  tenantId: string;
  name: string;
  action: 'delete' | 'move';
  afterDays: number;
  targetId: string | null;
  /** Empty: every user's recordings. */
  userIds: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface RetentionPolicyInput {
  name: string;
  action: 'delete' | 'move';
  afterDays: number;
  targetId: string | null;
  userIds: string[];
}

const toPolicy = (row: RetentionPolicyRow): RetentionPolicy => ({
  id: row.id,
  tenantId: row.tenant_id,
  name: row.name,
  action: row.action,
  afterDays: row.after_days,
  targetId: row.target_id,
  userIds: row.user_ids,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

/** A tenant's retention policies: delete, or move to another storage target, N days after recording. */
@injectable()
export class RetentionPoliciesRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async list(tenantId: string): Promise<RetentionPolicy[]> {
    const rows = await this.db
      .selectFrom('retention_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name')
      .execute();
    return rows.map(toPolicy);
  }

  /** Every tenant's policies, for the sweep: deletions first, so a recording due for both is not moved first. */
  async all(): Promise<RetentionPolicy[]> {
    const rows = await this.db
      .selectFrom('retention_policies')
      .selectAll()
      .orderBy('action')
      .orderBy('after_days')
      .execute();
    return rows.map(toPolicy);
  }

  async get(tenantId: string, id: string): Promise<RetentionPolicy | undefined> {
    const row = await this.db
      .selectFrom('retention_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toPolicy(row) : undefined;
  }

  async create(tenantId: string, input: RetentionPolicyInput): Promise<RetentionPolicy> {
    const now = this.clock.now();
    const row = await this.db
      .insertInto('retention_policies')
      .values({
        id: randomUUID(),
        tenant_id: tenantId,
        name: input.name,
        action: input.action,
        after_days: input.afterDays,
        target_id: input.targetId,
        user_ids: JSON.stringify(input.userIds),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPolicy(row);
  }

  async update(
    tenantId: string,
    id: string,
    input: RetentionPolicyInput,
  ): Promise<RetentionPolicy | undefined> {
    const row = await this.db
      .updateTable('retention_policies')
      .set({
        name: input.name,
        action: input.action,
        after_days: input.afterDays,
        target_id: input.targetId,
        user_ids: JSON.stringify(input.userIds),
        updated_at: this.clock.now(),
      })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? toPolicy(row) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('retention_policies')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
