import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isStorageError, type Logger, TOKENS } from '@deskrec/core';
import type { HostConfig } from '../config/schema.js';
import type { CallsRepo } from '../db/repos/calls.js';
import type { SettingsRepo } from '../db/repos/settings.js';
import type { Job } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { AddressPolicy } from '../net/address-policy.js';
import { FetchRefused, type SafeResponse, safeFetch } from '../net/safe-fetch.js';
import type { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';
import { AUDIO_EXTENSIONS, type AudioCall, audioKey } from './audio-key.js';
import { RetryLater } from './job-runner.js';

export const FETCH_AUDIO_JOB = 'fetch-audio';

/**
 * Fetches a call's audio from the URL its recorder announced in a signed call event and stores it beside
 * the screen recording, so the portal can play both together. Streams; retried like every job.
 */
@injectable()
export class FetchAudioJob {
  /** Largest audio file accepted, in bytes. */
  private readonly maxBytes: number;
  private readonly policy: AddressPolicy;
  private readonly timeoutMs: number;

  constructor(
    @inject(HOST_TOKENS.CallsRepo) private readonly calls: CallsRepo,
    @inject(HOST_TOKENS.SettingsRepo) private readonly settings: SettingsRepo,
    @inject(HOST_TOKENS.TargetResolver) private readonly targets: TargetResolver,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(HOST_TOKENS.Config) config: HostConfig,
  ) {
    this.maxBytes = config.uploads.maxSegmentBytes;
    this.policy = new AddressPolicy(config.fetch.allow);
    this.timeoutMs = config.fetch.timeoutSeconds * 1000;
    this.sourceFolders = new Map(
      config.plugins.callEvents.map((entry) => {
        const own = path.join(config.dataDir, 'plugins', `call-events-${entry.id}`);
        const configured = entry.options?.recordingsDir;
        return [entry.id, typeof configured === 'string' ? [own, path.resolve(configured)] : [own]];
      }),
    );
  }

  /** Where each source may leave audio files for the host: its data folder, or its `recordingsDir` option. */
  private readonly sourceFolders: Map<string, string[]>;

  readonly handle = async (job: Job): Promise<void> => {
    const tenantId = job.tenant_id;
    const payload = job.payload as {
      callId: string;
      url?: string;
      file?: string;
      contentType?: string;
      sourceId?: string;
    };
    const { callId } = payload;
    const call = await this.calls.forAudio(tenantId, callId);
    if (!call || call.audio_key) return;
    if (payload.file)
      return this.storeLocalFile(tenantId, call, payload.file, payload.contentType, payload.sourceId);
    const url = payload.url!;
    let response: SafeResponse;
    try {
      response = await safeFetch(url, {
        policy: this.policy,
        timeoutMs: this.timeoutMs,
        maxBytes: this.maxBytes,
      });
    } catch (error) {
      const refused = error instanceof FetchRefused;
      await this.calls.noteAudioFetch(
        tenantId,
        callId,
        `${refused ? 'refused' : 'failed'}: ${(error as Error).message}`,
      );
      if (refused)
        this.logger.warn({ callId, url, reason: (error as Error).message }, 'call audio fetch refused');
      throw new RetryLater(
        `audio download from ${url} ${refused ? 'refused' : 'failed'}: ${(error as Error).message}`,
        refused,
      );
    }
    if (response.status < 200 || response.status >= 300) {
      response.body.resume();
      await this.calls.noteAudioFetch(tenantId, callId, `answered ${response.status}`);
      throw new RetryLater(
        `audio download from ${url} answered ${response.status}`,
        response.status >= 400 && response.status < 500,
      );
    }
    const type = response.contentType;
    const extension =
      AUDIO_EXTENSIONS[type] ??
      (/\.([a-z0-9]{2,4})(?:\?|$)/i.exec(new URL(url).pathname)?.[1]?.toLowerCase() || 'wav');
    const key = await this.keyFor(tenantId, call, extension);
    const { id: targetId, target } = await this.targets.forTenant(tenantId);
    try {
      const stored = await target.put(key, response.body, { contentType: type || `audio/${extension}` });
      await this.calls.setAudio(tenantId, callId, key, targetId);
      await this.calls.noteAudioFetch(
        tenantId,
        callId,
        `answered ${response.status}, ${stored.size} bytes stored`,
      );
      this.logger.info({ callId, key, bytes: stored.size }, 'call audio stored');
    } catch (error) {
      response.body.destroy();
      const refused = error instanceof FetchRefused;
      if (refused) await this.calls.noteAudioFetch(tenantId, callId, `refused: ${(error as Error).message}`);
      throw new RetryLater((error as Error).message, refused || (isStorageError(error) && !error.retryable));
    }
  };

  private keyFor(tenantId: string, call: AudioCall, extension: string): Promise<string> {
    return audioKey(this.settings, tenantId, call, extension);
  }

  /**
   * Stores an audio file a source recorded on this host (a SIPREC recording), streamed, then deletes it. Only
   * files inside that source's own folders are taken: an event cannot make the host publish any file.
   */
  private async storeLocalFile(
    tenantId: string,
    call: AudioCall,
    file: string,
    contentType: string | undefined,
    sourceId: string | undefined,
  ): Promise<void> {
    const real = await fs.realpath(file).catch(() => undefined);
    if (!real) throw new RetryLater(`audio file ${file} does not exist (yet)`);
    const roots = await Promise.all(
      (sourceId ? (this.sourceFolders.get(sourceId) ?? []) : []).map((root) =>
        fs.realpath(root).catch(() => root),
      ),
    );
    if (!roots.some((root) => real.startsWith(root + path.sep))) {
      const reason = `${file} is outside the folders of source ${sourceId ?? '(unknown)'}`;
      await this.calls.noteAudioFetch(tenantId, call.id, `refused: ${reason}`);
      this.logger.warn({ callId: call.id, file, sourceId }, `call audio refused: ${reason}`);
      throw new RetryLater(reason, true);
    }
    const type = contentType?.toLowerCase() ?? 'audio/wav';
    const extension = AUDIO_EXTENSIONS[type] ?? (path.extname(real).slice(1).toLowerCase() || 'wav');
    const key = await this.keyFor(tenantId, call, extension);
    const { id: targetId, target } = await this.targets.forTenant(tenantId);
    try {
      const stored = await target.put(key, createReadStream(real), { contentType: type });
      await this.calls.setAudio(tenantId, call.id, key, targetId);
      await this.calls.noteAudioFetch(
        tenantId,
        call.id,
        `recorded by the source, ${stored.size} bytes stored`,
      );
      await fs.rm(real, { force: true });
      this.logger.info({ callId: call.id, key, bytes: stored.size }, 'call audio stored');
    } catch (error) {
      throw new RetryLater((error as Error).message, isStorageError(error) && !error.retryable);
    }
  }
}
