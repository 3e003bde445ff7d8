import { type Clock, type Logger, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import type { HostConfig } from '../config/schema.js';
import type { Database } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import type { SegmentNotices } from '../uploads/segment-notices.js';
import { STORE_SEGMENT_JOB } from '../uploads/upload-service.js';

const REASON = 'the host that received it is gone; the agent uploads it again';

/**
 * A store job runs only on the host whose spool has the file. When that host has been silent (no heartbeat)
 * for `uploads.handBackAfterSeconds`, its unfinished store jobs are handed back: the segment is "on agent"
 * again and its agent, which kept its copy, is asked to upload it to whichever host it is connected to.
 */
@injectable()
export class StoreHandBack {
  private readonly afterMs: number;

  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(HOST_TOKENS.SegmentNotices) private readonly notices: SegmentNotices,
    @inject(HOST_TOKENS.HostId) private readonly hostId: string,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(HOST_TOKENS.Config) config: Pick<HostConfig, 'uploads'>,
  ) {
    this.afterMs = config.uploads.handBackAfterSeconds * 1000;
  }

  async sweep(): Promise<number> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.afterMs);
    // Claimed and finished in one statement: of several hosts sweeping at once, one hands each job back.
    const handed = await this.db
      .updateTable('jobs')
      .set({ state: 'done', last_error: REASON, locked_by: null, locked_until: null, updated_at: now })
      .where('kind', '=', STORE_SEGMENT_JOB)
      .where('state', 'in', ['queued', 'running'])
      .where('host_id', 'is not', null)
      .where('host_id', '<>', this.hostId)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('hosts')
              .select('hosts.id')
              .whereRef('hosts.id', '=', 'jobs.host_id')
              .where('hosts.heartbeat_at', '>=', cutoff),
          ),
        ),
      )
      .returning(['tenant_id', 'payload', 'host_id'])
      .execute();
    for (const job of handed) {
      const payload = (typeof job.payload === 'string' ? JSON.parse(job.payload) : job.payload) as {
        segmentId?: string;
      };
      const segmentId = String(payload.segmentId ?? '');
      await this.db
        .updateTable('segments')
        .set({ state: 'on-agent', spool_path: null, error: REASON })
        .where('tenant_id', '=', job.tenant_id)
        .where('id', '=', segmentId)
        .where('state', '=', 'spooled')
        .execute();
      await this.notices.resend(job.tenant_id, segmentId, REASON);
      this.logger.warn({ segmentId, goneHost: job.host_id }, 'store job handed back: its host is gone');
    }
    return handed.length;
  }
}
