import type { Kysely } from 'kysely';
import { inject, injectable } from '../../di.js';
import { HOST_TOKENS } from '../../tokens.js';
import type { Database } from '../schema.js';

export interface AuditExportRange {
  from?: Date;
  to?: Date;
}

/** Reads a tenant's audit log in id order, one page at a time, so an export streams without holding it all. */
@injectable()
export class AuditExportRepo {
  constructor(@inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>) {}

  async *rows(tenantId: string, range: AuditExportRange, pageSize = 500) {
    let after = 0;
    for (;;) {
      let query = this.db
        .selectFrom('audit_log as a')
        .leftJoin('admin_users as u', (j) =>
          j.onRef('u.id', '=', 'a.actor_user_id').onRef('u.tenant_id', '=', 'a.tenant_id'),
        )
        .selectAll('a')
        .select('u.username as actor_username')
        .where('a.tenant_id', '=', tenantId)
        .where('a.id', '>', after);
      if (range.from) query = query.where('a.at', '>=', range.from);
      if (range.to) query = query.where('a.at', '<', range.to);
      const page = await query.orderBy('a.id').limit(pageSize).execute();
      yield* page;
      if (page.length < pageSize) return;
      after = page[page.length - 1]!.id;
    }
  }
}
