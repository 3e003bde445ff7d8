import type { Clock, Logger, StorageTarget } from '@deskrec/core';
import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiEnv } from '../api/deps.js';
import { createErrorHandler, errorJson, validationError } from '../api/errors.js';
import { clientIp, requireSession } from '../api/session.js';
import type { Repositories } from '../db/repositories.js';
import { contentTypeOf } from '../playback/range.js';
import type { ResolvedTarget } from '../storage/target-resolver.js';
import { planExport } from './export-plan.js';
import { type FeedItem, openFeed } from './feed-server.js';
import { type ExportInputs, ffmpegArgs, laneList } from './ffmpeg-args.js';
import { FfmpegFailed, startFfmpeg } from './ffmpeg-stream.js';

const EXPORT_ROUTE = '/api/calls/:callId/export';

export interface ExportDeps {
  repos: Pick<Repositories, 'sessions' | 'tenants' | 'audit' | 'callSearch' | 'settings'>;
  targets: {
    byId(tenantId: string, id: string): Promise<ResolvedTarget>;
    forTenant(tenantId: string): Promise<ResolvedTarget>;
  };
  clock: Clock;
  logger: Logger;
  ffmpegPath: string;
  /** Exports encoding at once on this host; one more is refused with 503 (each one keeps a core busy). */
  maxConcurrent: number;
}

const QuerySchema = z
  .object({
    monitor: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be a monitor id of this call (letters, digits, . _ : -)')
      .optional(),
  })
  .strict();

/** A file name that is safe in any browser and file system: the call's start and its PBX id. */
function fileNameOf(call: { started_at: Date | string; external_call_id: string }, monitor?: string): string {
  const when = new Date(call.started_at)
    .toISOString()
    .replace(/[:]/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  const name = `call-${when}-${call.external_call_id}${monitor === undefined ? '' : `-monitor-${monitor}`}`;
  return `${name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 150)}.mp4`;
}

/**
 * `GET /api/calls/{id}/export`: the whole call as one MP4 (every monitor side by side, or `?monitor=`), with
 * its audio, encoded by ffmpeg while it is downloaded. Any signed-in user of the tenant may, as for playback,
 * and each export is audited before ffmpeg starts.
 */
export function createExportRoutes(deps: ExportDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.onError(
    createErrorHandler((error) =>
      deps.logger.error({ err: error instanceof Error ? error.stack : String(error) }, 'Call export failed'),
    ),
  );
  let running = 0;

  app.get(EXPORT_ROUTE, requireSession(deps), async (c) => {
    c.header('cache-control', 'no-store');
    const session = c.get('session');
    const query = QuerySchema.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error, 'query');
    const loaded = await deps.repos.callSearch.load(session.tenantId, c.req.param('callId'));
    if (!loaded) return errorJson(c, 404, 'not-found', 'No such call');
    const { monitor } = query.data;
    const planned = planExport({
      ...loaded,
      now: deps.clock.now(),
      ...(monitor === undefined ? {} : { monitor }),
    });
    if (!planned.ok) {
      return planned.reason === 'unknown-monitor'
        ? errorJson(
            c,
            400,
            'invalid',
            `query.monitor: this call has no monitor "${monitor}" (it has ${planned.monitors.join(', ') || 'none'})`,
            'query.monitor',
          )
        : errorJson(c, 409, 'nothing-stored', 'No screen recording of this call is stored yet');
    }
    const { plan } = planned;
    if (running >= deps.maxConcurrent) {
      c.header('retry-after', '30');
      return errorJson(c, 503, 'busy', `${running} exports are running on this host; try again shortly`);
    }

    const targets = new Map<string, StorageTarget>();
    const targetOf = async (id: string | null) => {
      const cached = targets.get(id ?? '');
      if (cached) return cached;
      const resolved = id
        ? await deps.targets.byId(session.tenantId, id)
        : await deps.targets.forTenant(session.tenantId);
      targets.set(id ?? '', resolved.target);
      return resolved.target;
    };
    const items: FeedItem[] = [];
    try {
      for (const [i, lane] of plan.lanes.entries()) {
        for (const [j, segment] of lane.segments.entries()) {
          items.push({
            path: `lane-${i}/${j}`,
            object: { target: await targetOf(segment.targetId), key: segment.key, contentType: 'video/mp4' },
          });
        }
      }
      if (plan.audio) {
        items.push({
          path: 'audio',
          object: {
            target: await targetOf(plan.audio.targetId),
            key: plan.audio.key,
            contentType: contentTypeOf(plan.audio.key, 'audio/mpeg'),
          },
        });
      }
    } catch (error) {
      deps.logger.error(
        { err: (error as Error).message, callId: loaded.call.id },
        'Export: storage target unavailable',
      );
      return errorJson(
        c,
        502,
        'storage-unavailable',
        'A storage target of this call is unavailable; see the system log',
      );
    }

    // The audit row comes first: a failure to record who exported means nothing is served.
    try {
      await deps.repos.audit.record(session.tenantId, {
        actorUserId: session.userId,
        action: 'recording.export',
        targetType: 'call',
        targetId: loaded.call.id,
        detail: {
          media: 'export',
          monitors: plan.lanes.map((l) => l.monitor),
          audio: Boolean(plan.audio),
          userAgent: c.req.header('user-agent')?.slice(0, 200) ?? null,
        },
        ip: clientIp(c),
      });
    } catch (error) {
      deps.logger.error(
        { err: (error as Error).message, callId: loaded.call.id },
        'Export: audit row not written',
      );
      return errorJson(
        c,
        500,
        'audit-failed',
        'The export could not be recorded in the audit log, so nothing was served',
      );
    }

    // Closes the feed when ffmpeg ends (it ends when the client goes away).
    const ended = new AbortController();
    const clientGone = c.req.raw.signal;
    running++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running--;
      ended.abort();
    };
    try {
      const feed = await openFeed(ended.signal);
      for (const item of items) feed.add(item);
      const inputs: ExportInputs = {
        laneList: (i) => `${feed.base}/lane-${i}.ffconcat`,
        segment: (i, j) => `${feed.base}/lane-${i}/${j}`,
        audio: `${feed.base}/audio`,
      };
      plan.lanes.forEach((lane, i) => {
        feed.add({ path: `lane-${i}.ffconcat`, text: laneList(lane, i, inputs) });
      });
      const { fps } = await deps.repos.settings.get(session.tenantId);
      const stream = await startFfmpeg(
        deps.ffmpegPath,
        ffmpegArgs(plan, inputs, fps),
        clientGone,
        (error) => {
          release();
          if (error && !clientGone.aborted)
            deps.logger.error({ callId: loaded.call.id, err: error }, 'Export: ffmpeg failed');
        },
      );
      return new Response(stream.body, {
        status: 200,
        headers: {
          'content-type': 'video/mp4',
          'content-disposition': `attachment; filename="${fileNameOf(loaded.call, monitor)}"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        },
      });
    } catch (error) {
      release();
      if (!(error instanceof FfmpegFailed)) throw error;
      deps.logger.error(
        { callId: loaded.call.id, err: error.message },
        'Export: ffmpeg failed before any output',
      );
      return errorJson(c, 502, 'export-failed', 'The recording could not be encoded; see the system log');
    }
  });
  return app;
}
