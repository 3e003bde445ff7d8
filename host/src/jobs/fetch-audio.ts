import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { FileNameTemplate, isStorageError, type Logger, StorageError, TOKENS } from '@deskrec/core';
import type { HostConfig } from '../config/schema.js';
import type { CallsRepo } from '../db/repos/calls.js';
import type { SettingsRepo } from '../db/repos/settings.js';
import type { Job } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import type { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';
import { RetryLater } from './job-runner.js';

export const FETCH_AUDIO_JOB = 'fetch-audio';

const EXTENSIONS: Record<string, string> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/ogg': 'ogg',
  'audio/opus': 'opus',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'audio/webm': 'webm',
};

/** Stops a download that grows past the limit, so a wrong URL cannot fill the disk. */
async function* capped(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
  url: string,
): AsyncIterable<Uint8Array> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (seen > maxBytes)
      throw new StorageError('integrity', `audio at ${url} is larger than ${maxBytes} bytes`, {
        retryable: false,
      });
    yield chunk;
  }
}

/**
 * Fetches a call's audio from the URL its recorder announced in a signed call event and stores it beside
 * the screen recording, so the portal can play both together. Streams; retried like every job.
 */
@injectable()
export class FetchAudioJob {
  /** Largest audio file accepted, in bytes. */
  private readonly maxBytes: number;

  constructor(
    @inject(HOST_TOKENS.CallsRepo) private readonly calls: CallsRepo,
    @inject(HOST_TOKENS.SettingsRepo) private readonly settings: SettingsRepo,
    @inject(HOST_TOKENS.TargetResolver) private readonly targets: TargetResolver,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(HOST_TOKENS.Config) config: HostConfig,
  ) {
    this.maxBytes = config.uploads.maxSegmentBytes;
  }

  readonly handle = async (job: Job): Promise<void> => {
    const tenantId = job.tenant_id;
    const { callId, url } = job.payload as { callId: string; url: string };
    const call = await this.calls.forAudio(tenantId, callId);
    if (!call || call.audio_key) return;
    const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(10 * 60_000) }).catch(
      (error: Error) => {
        throw new RetryLater(`audio download from ${url} failed: ${error.message}`);
      },
    );
    if (!response.ok || !response.body) {
      throw new RetryLater(
        `audio download from ${url} answered ${response.status}`,
        response.status >= 400 && response.status < 500,
      );
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const extension =
      EXTENSIONS[type] ??
      (/\.([a-z0-9]{2,4})(?:\?|$)/i.exec(new URL(url).pathname)?.[1]?.toLowerCase() || 'wav');
    const { fileNameFormat } = await this.settings.get(tenantId);
    const template = new FileNameTemplate(
      `${fileNameFormat.replace(/\.[A-Za-z0-9]+$/, '')}-audio.${extension}`,
    );
    const key = template.render({
      'start-time': new Date(call.started_at),
      ...(call.ended_at ? { 'end-time': new Date(call.ended_at) } : {}),
      'recording-id': call.external_call_id,
      'call-id': call.external_call_id,
      direction: call.direction,
      ...(call.extension ? { extension: call.extension } : {}),
    });
    const { id: targetId, target } = await this.targets.forTenant(tenantId);
    try {
      const body = Readable.from(
        capped(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), this.maxBytes, url),
      );
      const stored = await target.put(key, body, { contentType: type || `audio/${extension}` });
      await this.calls.setAudio(tenantId, callId, key, targetId);
      this.logger.info({ callId, key, bytes: stored.size }, 'call audio stored');
    } catch (error) {
      throw new RetryLater((error as Error).message, isStorageError(error) && !error.retryable);
    }
  };
}
