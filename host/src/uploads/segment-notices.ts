import { type Logger, PROTOCOL_VERSION, type SegmentRef, TOKENS } from '@deskrec/core';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import type { AgentChannel } from '../workstations/ports.js';

/**
 * Tells an agent what became of the segments it uploaded: `segment.stored` once one is in the storage
 * target (only then may it delete its copy), `segment.resend` when the host lost the copy it received. An
 * agent not connected here hears it when it connects and lists what it still keeps (`answerPending`).
 */
@injectable()
export class SegmentNotices {
  constructor(
    @inject(HOST_TOKENS.Database) private readonly db: Kysely<Database>,
    @inject(HOST_TOKENS.AgentChannel) private readonly channel: AgentChannel,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async stored(tenantId: string, segmentId: string): Promise<void> {
    const found = await this.refOf(tenantId, segmentId);
    if (found) this.send(tenantId, found.workstationId, { type: 'segment.stored', segment: found.ref });
  }

  async resend(tenantId: string, segmentId: string, reason: string): Promise<void> {
    const found = await this.refOf(tenantId, segmentId);
    if (found)
      this.send(tenantId, found.workstationId, { type: 'segment.resend', segment: found.ref, reason });
  }

  /**
   * The segments an agent still keeps: stored ones are confirmed, ones the host has no copy of are asked
   * for again; ones on their way (received, not yet stored) are answered when their store job ends.
   */
  async answerPending(tenantId: string, workstationId: string, refs: readonly SegmentRef[]): Promise<void> {
    if (!refs.length) return;
    const rows = await this.db
      .selectFrom('segments')
      .innerJoin('recordings', (join) =>
        join
          .onRef('recordings.tenant_id', '=', 'segments.tenant_id')
          .onRef('recordings.id', '=', 'segments.recording_id'),
      )
      .select(['recordings.capture_id as captureId', 'segments.monitor_id', 'segments.idx', 'segments.state'])
      .where('segments.tenant_id', '=', tenantId)
      .where('recordings.workstation_id', '=', workstationId)
      .where('recordings.capture_id', 'in', [...new Set(refs.map((r) => r.captureId))])
      .execute();
    const state = new Map(rows.map((r) => [`${r.captureId}/${r.monitor_id}/${r.idx}`, r.state]));
    let stored = 0;
    let resend = 0;
    for (const ref of refs) {
      const now = state.get(`${ref.captureId}/${ref.monitorId}/${ref.index}`);
      if (now === 'stored') {
        stored++;
        this.send(tenantId, workstationId, { type: 'segment.stored', segment: ref });
      } else if (now === undefined || now === 'on-agent') {
        resend++;
        this.send(tenantId, workstationId, {
          type: 'segment.resend',
          segment: ref,
          reason: 'the host has no copy of this segment',
        });
      }
    }
    this.logger.info(
      { workstationId, listed: refs.length, stored, resend },
      'answered the segments an agent keeps',
    );
  }

  private async refOf(tenantId: string, segmentId: string) {
    const row = await this.db
      .selectFrom('segments')
      .innerJoin('recordings', (join) =>
        join
          .onRef('recordings.tenant_id', '=', 'segments.tenant_id')
          .onRef('recordings.id', '=', 'segments.recording_id'),
      )
      .select(['recordings.workstation_id', 'recordings.capture_id', 'segments.monitor_id', 'segments.idx'])
      .where('segments.tenant_id', '=', tenantId)
      .where('segments.id', '=', segmentId)
      .executeTakeFirst();
    if (!row) return undefined;
    const ref: SegmentRef = { captureId: row.capture_id, monitorId: row.monitor_id, index: row.idx };
    return { workstationId: row.workstation_id, ref };
  }

  private send(
    tenantId: string,
    workstationId: string,
    message:
      | { type: 'segment.stored'; segment: SegmentRef }
      | { type: 'segment.resend'; segment: SegmentRef; reason: string },
  ): void {
    // Not connected here: the agent lists the segment again when it connects.
    this.channel.send(tenantId, workstationId, { v: PROTOCOL_VERSION, ...message });
  }
}
