import { pipeline, Readable } from 'node:stream';
import { type Clock, isStorageError, type Logger, type StorageTarget } from '@deskrec/core';
import { type Context, Hono } from 'hono';
import { clientIp } from '../api/session.js';
import type { MediaObject, MediaRepo } from '../db/repos/media.js';
import type { Repositories } from '../db/repositories.js';
import {
  CHANGED_MESSAGE,
  type RecordedSegment,
  type SegmentIntegrity,
} from '../integrity/segment-integrity.js';
import { type PortalEnv, sessionOf } from '../portal/session.js';
import type { ResolvedTarget } from '../storage/target-resolver.js';
import { AuditedPlaybacks } from './audit-once.js';
import { contentTypeOf, parseRange } from './range.js';
import { rangedGet } from './ranged-get.js';

export interface PlaybackDeps {
  media: Pick<MediaRepo, 'audio' | 'segment'>;
  repos: Pick<Repositories, 'sessions' | 'audit' | 'tenants'>;
  /** The TargetResolver: a tenant's storage target id → a live StorageTarget. */
  targets: {
    byId(tenantId: string, id: string): Promise<ResolvedTarget>;
    forTenant(tenantId: string): Promise<ResolvedTarget>;
  };
  clock: Clock;
  logger: Logger;
  /** Checks screen segments against the SHA-256 recorded at upload. */
  integrity: Pick<SegmentIntegrity, 'isChanged' | 'verifying' | 'checkInBackground'>;
}

function plain(c: Context, status: 400 | 401 | 404 | 409 | 500 | 502, text: string) {
  c.header('cache-control', 'no-store');
  return c.text(text, status);
}

/**
 * Streams call audio and screen segments to signed-in users with HTTP range requests, from the storage
 * plugin's ranged read, or cut from its streamed full read when it declares no `rangeRead` (nothing is read
 * whole). Every playback and download is audited before the first byte leaves. Screen segments are checked
 * against the SHA-256 recorded at upload (SegmentIntegrity): full reads as they stream, ranged ones by a
 * background check; a segment found changed is refused with 409.
 */
export function createPlaybackRoutes(deps: PlaybackDeps): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();
  const audited = new AuditedPlaybacks();

  app.use('/media/*', async (c, next) => {
    const session = await sessionOf(c, deps.repos, deps.clock);
    if (!session) return plain(c, 401, 'Sign in first (the session is missing or expired)');
    c.set('session', session);
    await next();
  });

  const serve = async (c: Context<PortalEnv>, object: MediaObject | undefined) => {
    if (!object) return plain(c, 404, 'No such recording for this call, or it is not stored yet');
    const session = c.get('session');
    const download = c.req.query('download') === '1';
    const range = parseRange(c.req.header('range'));
    let target: StorageTarget;
    try {
      target = (
        object.targetId
          ? await deps.targets.byId(session.tenantId, object.targetId)
          : await deps.targets.forTenant(session.tenantId)
      ).target;
    } catch (error) {
      deps.logger.error(
        { err: (error as Error).message, callId: object.callId },
        'Playback: storage target unavailable',
      );
      return plain(c, 502, 'The storage target of this recording is unavailable; see the system log');
    }
    const unsatisfiable = async () => {
      const info = await target.stat(object.key).catch(() => undefined);
      c.header('content-range', `bytes */${info?.size ?? '*'}`);
      c.header('accept-ranges', 'bytes');
      return c.text('The requested range is not within the file', 416);
    };
    if (range.kind === 'unsatisfiable') return unsatisfiable();
    const segment: RecordedSegment | undefined =
      object.segmentId && object.recorded
        ? {
            tenantId: session.tenantId,
            callId: object.callId,
            segmentId: object.segmentId,
            key: object.key,
            ...object.recorded,
          }
        : undefined;
    if (segment && deps.integrity.isChanged(segment.segmentId)) {
      c.header('x-deskrec-integrity', 'changed');
      return plain(c, 409, CHANGED_MESSAGE);
    }

    let wanted: { start: number; end?: number } | undefined;
    if (range.kind === 'from') wanted = range.end === undefined ? { start: range.start } : range;
    if (range.kind === 'suffix') {
      const info = await target.stat(object.key);
      if (!info) return plain(c, 404, 'The recording file is missing from its storage target');
      wanted = { start: Math.max(0, info.size - range.length) };
    }

    // The audit row comes first: a failure to record who watched means nothing is served.
    const objectId = object.segmentId ?? `${object.callId}/audio`;
    const fromStart = !wanted || wanted.start === 0;
    const firstOfPlayback = download || audited.needsRow(session.sessionId, objectId, fromStart);
    if (firstOfPlayback) {
      const written = await deps.repos.audit
        .record(session.tenantId, {
          actorUserId: session.userId,
          action: download ? 'recording.download' : 'recording.play',
          targetType: 'call',
          targetId: object.callId,
          detail: {
            media: object.media,
            ...(object.segmentId ? { segmentId: object.segmentId } : {}),
            range: c.req.header('range') ?? null,
            userAgent: c.req.header('user-agent')?.slice(0, 200) ?? null,
          },
          ip: clientIp(c),
        })
        .then(
          () => true,
          (error: unknown) => {
            deps.logger.error(
              { err: (error as Error).message, callId: object.callId },
              'Playback: audit row not written',
            );
            return false;
          },
        );
      if (!written)
        return plain(c, 500, 'The playback could not be recorded in the audit log, so nothing was served');
      audited.remember(session.sessionId, objectId);
    }

    let result: Awaited<ReturnType<StorageTarget['get']>>;
    try {
      result = await rangedGet(target, object.key, wanted, c.req.raw.signal);
    } catch (error) {
      if (isStorageError(error, 'invalid-range')) return unsatisfiable();
      if (isStorageError(error, 'not-found'))
        return plain(c, 404, 'The recording file is missing from its storage target');
      deps.logger.error({ err: (error as Error).message, callId: object.callId }, 'Playback: read failed');
      return plain(c, 502, 'The recording could not be read from its storage target; see the system log');
    }
    const { start, end } = result.range;
    // A read of every byte is checked as it streams; a part of the file by a whole-file check beside it.
    const whole = start === 0 && end === result.size - 1;
    let source: Readable = result.body;
    if (segment && whole) {
      source = pipeline(result.body, deps.integrity.verifying(segment), (error) => {
        // A player that stops reading early (it asked for bytes=0- and then seeks) leaves the check undone.
        if (error && !deps.integrity.isChanged(segment.segmentId))
          deps.integrity.checkInBackground(segment, target);
      });
    } else if (segment && firstOfPlayback) deps.integrity.checkInBackground(segment, target);
    const headers = new Headers({
      'content-type': contentTypeOf(object.key, object.media === 'audio' ? 'audio/mpeg' : 'video/mp4'),
      'accept-ranges': 'bytes',
      'content-length': String(end - start + 1),
      'cache-control': 'private, no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (download) {
      headers.set(
        'content-disposition',
        `attachment; filename="${object.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
      );
    }
    if (wanted) headers.set('content-range', `bytes ${start}-${end}/${result.size}`);
    if (result.size === 0) headers.set('content-length', '0');
    const body = Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>;
    return new Response(body, { status: wanted ? 206 : 200, headers });
  };

  app.get('/media/calls/:callId/audio', async (c) =>
    serve(c, await deps.media.audio(c.get('session').tenantId, c.req.param('callId'))),
  );
  app.get('/media/calls/:callId/segments/:segmentId', async (c) =>
    serve(
      c,
      await deps.media.segment(c.get('session').tenantId, c.req.param('callId'), c.req.param('segmentId')),
    ),
  );
  return app;
}
