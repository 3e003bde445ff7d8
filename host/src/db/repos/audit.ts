import { type Clock, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

export interface AuditEntry {
  actorUserId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  detail?: Record<string, unknown>;
  ip: string | null;
}

/** Who changed what, for admins to review; never holds secrets (callers pass redacted details). */
@injectable()
export class AuditRepo {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {}

  async record(tenantId: string, entry: AuditEntry): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        tenant_id: tenantId,
        actor_user_id: entry.actorUserId,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        detail: JSON.stringify(entry.detail ?? {}),
        ip: entry.ip,
        at: this.clock.now(),
      })
      .execute();
  }

  list(tenantId: string, limit = 100) {
    return this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}
