import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { type Clock, formatIssues, type Logger } from '@deskrec/core';
import { Server, type Upload } from '@tus/server';
import type { JobsRepo } from '../db/repos/jobs.js';
import type { SegmentsRepo } from '../db/repos/segments.js';
import type { UploadGrant, UploadGrantsRepo } from '../db/repos/upload-grants.js';
import type { JobSignal } from '../jobs/job-signal.js';
import type { RecoverCapture } from '../recordings/recover-capture.js';
import { fsyncPath } from './fsync.js';
import { HashingFileStore } from './hashing-file-store.js';
import { readNodeBodies, webRequestFrom } from './node-body.js';
import { sendWebResponse } from './node-response.js';
import { SegmentUploadMetadataSchema } from './segment-metadata.js';
import type { UploadSigningKeys } from './upload-signing-keys.js';

export const UPLOAD_ROUTE = '/api/uploads';
export const STORE_SEGMENT_JOB = 'store-segment';

export interface UploadServiceOptions {
  grants: UploadGrantsRepo;
  /** Verify signed upload tokens; with `recover`, re-create the rows of a capture the database lost. */
  keys: UploadSigningKeys;
  recover: RecoverCapture;
  /** This host: a store job runs only where its file is. */
  hostId: string;
  segments: SegmentsRepo;
  jobs: JobsRepo;
  /** Told after a store job was queued, so the runner takes it at once. */
  signal: JobSignal;
  /** The host's spool: uploads land in `incoming/`, verified files move to `ready/`. */
  spoolDir: string;
  logger: Logger;
  /** Largest segment accepted, in bytes. */
  maxBytes: number;
  clock: Clock;
  /** An upload token works this long after its capture ended, counted again from each use. */
  tokenTtlMs: number;
  /** Unfinished uploads older than this are deleted (the agent starts them again). */
  unfinishedTtlMs: number;
  /** Unfinished uploads one recording may have at once. */
  maxOpenUploadsPerRecording: number;
}

/** tus hooks reject by throwing this shape; the server turns it into the HTTP answer. */
const reject = (status: number, message: string) => ({
  status_code: status,
  body: `${JSON.stringify({ error: { code: status, message } })}\n`,
});

/** The host already holds this segment's bytes: a second upload is refused, saying whether it is the same file. */
const alreadyHeld = (monitorId: string, index: number, sameContent: boolean, inStorage = false) => ({
  status_code: 409,
  body: `${JSON.stringify({
    error: {
      code: 409,
      message: sameContent
        ? `segment ${index} of monitor ${monitorId} is already stored with this SHA-256; nothing to upload`
        : `segment ${index} of monitor ${monitorId} is already stored with another SHA-256; a stored segment is not replaced`,
      sameContent,
      // In the storage target already: the agent may delete its copy now (else it waits for segment.stored).
      inStorage,
    },
  })}\n`,
});
const HELD = new Set(['spooled', 'stored']);

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * The segment upload endpoint (tus protocol: resumable, offset-based). Each request is checked against
 * the recording's upload token and the workstation's state before any body byte is read. The final
 * answer is sent only after the file's SHA-256 matched and it was fsynced into the spool; then a durable
 * job takes it to storage.
 */
export function createUploadService(options: UploadServiceOptions) {
  const incoming = path.join(options.spoolDir, 'incoming');
  const ready = path.join(options.spoolDir, 'ready');
  const store = new HashingFileStore({ directory: incoming });
  const grants = new WeakMap<Request, UploadGrant>();

  /** A signed token's recording is re-created when missing (ADR 14); an older random one is looked up. */
  const findGrant = async (token: string, now: Date): Promise<UploadGrant> => {
    const verified = await options.keys.verify(token);
    if (!verified) {
      const grant = await options.grants.find(token, options.tokenTtlMs, now);
      if (!grant) throw reject(401, 'the upload token is not valid');
      return grant;
    }
    if (!verified.ok) throw reject(401, verified.reason);
    const { claims } = verified;
    const lookup = () =>
      options.grants.ofRecording(claims.tenantId, claims.recordingId, token, options.tokenTtlMs, now);
    const grant = await lookup();
    if (grant) return grant;
    if (claims.expiresAt <= now) {
      throw reject(
        401,
        `the upload token expired at ${claims.expiresAt.toISOString()}: its recording is not on record and the token is too old to re-create it`,
      );
    }
    if (!(await options.recover.recover(claims, token)))
      throw reject(
        401,
        `the upload token is not valid: workstation ${claims.workstationId} is not on record`,
      );
    const recovered = await lookup();
    if (!recovered)
      throw reject(401, `the upload token is not valid: recording ${claims.recordingId} holds another token`);
    return recovered;
  };

  const grantFor = async (req: Request): Promise<UploadGrant> => {
    const known = grants.get(req);
    if (known) return known;
    const header = req.headers.get('authorization') ?? '';
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    if (!token) throw reject(401, 'an upload needs "Authorization: Bearer <upload token>"');
    const now = options.clock.now();
    const grant = await findGrant(token, now);
    if (grant.expiresAt && grant.expiresAt <= now) {
      throw reject(
        401,
        `the upload token expired at ${grant.expiresAt.toISOString()}: its capture ended and nothing was uploaded with it for ${options.tokenTtlMs / 3_600_000} h`,
      );
    }
    if (grant.workstationState !== 'authorized')
      throw reject(403, `the workstation is ${grant.workstationState}; it may not upload`);
    // Only when due: every PATCH of an upload passes here, and most need no write.
    if (grant.renewDue) await options.grants.renew(grant.tenantId, grant.recordingId, now);
    grants.set(req, grant);
    return grant;
  };

  const server = new Server({
    path: UPLOAD_ROUTE,
    datastore: store,
    relativeLocation: true,
    maxSize: options.maxBytes,
    namingFunction: () => randomBytes(16).toString('hex'),
    async onIncomingRequest(req, uploadId) {
      const grant = await grantFor(req);
      if (req.method !== 'POST' && uploadId) {
        const upload = await store.getUpload(uploadId).catch(() => undefined);
        if (upload && upload.metadata?.recordingId !== grant.recordingId) throw reject(404, 'no such upload');
      }
    },
    async onUploadCreate(req, upload) {
      const grant = await grantFor(req);
      const parsed = SegmentUploadMetadataSchema.safeParse(upload.metadata ?? {});
      if (!parsed.success) throw reject(400, `Upload-Metadata: ${formatIssues(parsed.error)}`);
      const meta = parsed.data;
      if (meta.recordingId !== grant.recordingId)
        throw reject(403, 'the upload token belongs to another recording');
      if (upload.size !== undefined && upload.size !== meta.bytes) {
        throw reject(400, `Upload-Length ${upload.size} differs from metadata bytes ${meta.bytes}`);
      }
      const existing = await options.segments.byIdentity(
        grant.tenantId,
        grant.recordingId,
        meta.monitorId,
        meta.index,
      );
      if (existing && HELD.has(existing.state))
        throw alreadyHeld(
          meta.monitorId,
          meta.index,
          existing.sha256 === meta.sha256,
          existing.state === 'stored',
        );
      const open = await options.segments.countUploading(grant.tenantId, grant.recordingId);
      if (open >= options.maxOpenUploadsPerRecording && existing?.state !== 'uploading') {
        throw reject(
          429,
          `recording ${grant.recordingId} has ${open} unfinished uploads (limit ${options.maxOpenUploadsPerRecording}); finish those first`,
        );
      }
      const segmentId = await options.segments.upsert(
        grant.tenantId,
        grant.recordingId,
        {
          monitorId: meta.monitorId,
          index: meta.index,
          startedAt: new Date(meta.startedAt),
          durationMs: meta.durationMs,
          bytes: meta.bytes,
          sha256: meta.sha256,
        },
        'uploading',
      );
      // The host clock's time (not tus's own creation_date), so the unfinished-upload limit follows that clock.
      const createdAt = options.clock.now().toISOString();
      return { metadata: { ...upload.metadata, segmentId, tenantId: grant.tenantId, createdAt } };
    },
    async onUploadFinish(req, upload: Upload) {
      const grant = await grantFor(req);
      const meta = upload.metadata ?? {};
      const segmentId = meta.segmentId!;
      const file = path.join(incoming, upload.id);
      const actual = store.takeDigest(upload.id, upload.size ?? upload.offset) ?? (await sha256Of(file));
      if (actual !== meta.sha256) {
        options.logger.warn(
          { segmentId, expected: meta.sha256, actual },
          'segment upload corrupted in transit; the agent resends it',
        );
        await store.remove(upload.id).catch(() => undefined);
        const current = await options.segments.get(grant.tenantId, segmentId);
        if (current && !HELD.has(current.state))
          await options.segments.setState(
            grant.tenantId,
            segmentId,
            'on-agent',
            'checksum mismatch on upload; resent',
          );
        throw reject(
          460,
          `SHA-256 mismatch: expected ${meta.sha256}, received ${actual}; upload the file again`,
        );
      }
      // Two uploads of one segment may both have been created: only the first to finish counts.
      const held = await options.segments.get(grant.tenantId, segmentId);
      if (held && HELD.has(held.state)) {
        await store.remove(upload.id).catch(() => undefined);
        throw alreadyHeld(
          meta.monitorId ?? '',
          Number(meta.index),
          held.sha256 === meta.sha256,
          held.state === 'stored',
        );
      }
      await fs.mkdir(ready, { recursive: true });
      await fsyncPath(file);
      // Named per upload, so a racing second upload of the segment never replaces the file that counts.
      const spooled = path.join(ready, `${segmentId}.${upload.id}.mp4`);
      await fs.rename(file, spooled);
      await fsyncPath(ready);
      await fs.rm(`${file}.json`, { force: true });
      if (!(await options.segments.markSpooled(grant.tenantId, segmentId, spooled))) {
        await fs.rm(spooled, { force: true });
        throw alreadyHeld(meta.monitorId ?? '', Number(meta.index), held?.sha256 === meta.sha256);
      }
      await options.jobs.enqueue(grant.tenantId, STORE_SEGMENT_JOB, { segmentId }, undefined, options.hostId);
      options.signal.notify();
      options.logger.info(
        { segmentId, recordingId: grant.recordingId, bytes: upload.size },
        'segment received and spooled',
      );
      return {};
    },
  });

  readNodeBodies(server);

  return {
    /** Serves one request on the upload route from Node's request and response (see node-body.ts). */
    async handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
      let request: Request;
      try {
        request = webRequestFrom(incoming);
      } catch {
        // A Host header or URL that does not make a URL.
        return sendWebResponse(incoming, outgoing, new Response(null, { status: 400 }));
      }
      const response = await server.handleWeb(request).catch((error: unknown) => {
        options.logger.error({ err: (error as Error).message }, 'upload request failed');
        return new Response(null, { status: 500 });
      });
      await sendWebResponse(incoming, outgoing, response);
    },
    async start() {
      await fs.mkdir(incoming, { recursive: true });
      await fs.mkdir(ready, { recursive: true });
    },
    /**
     * Deletes unfinished uploads created longer ago than the limit (files and tus's info file); their segment
     * goes back to "on agent", so a client that opens uploads and never sends cannot fill the spool.
     */
    async sweepUnfinished(): Promise<number> {
      const cutoff = options.clock.now().getTime() - options.unfinishedTtlMs;
      let removed = 0;
      for (const name of await fs.readdir(incoming).catch(() => [] as string[])) {
        if (!name.endsWith('.json')) continue;
        const id = name.slice(0, -'.json'.length);
        const info = await fs
          .readFile(path.join(incoming, name), 'utf8')
          .then((text) => JSON.parse(text) as { creation_date?: string; metadata?: Record<string, string> })
          .catch(() => undefined);
        const created = Date.parse(info?.metadata?.createdAt ?? info?.creation_date ?? '');
        if (!(created < cutoff)) continue;
        await store.remove(id).catch(() => undefined);
        await fs.rm(path.join(incoming, id), { force: true });
        await fs.rm(path.join(incoming, name), { force: true });
        const { tenantId, segmentId } = info?.metadata ?? {};
        if (tenantId && segmentId) {
          const current = await options.segments.get(tenantId, segmentId);
          if (current?.state === 'uploading')
            await options.segments.setState(tenantId, segmentId, 'on-agent', 'unfinished upload expired');
        }
        removed++;
      }
      if (removed) options.logger.warn({ removed }, 'unfinished uploads expired and were deleted');
      return removed;
    },
  };
}

export type UploadService = ReturnType<typeof createUploadService>;
