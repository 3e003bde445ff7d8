import path from 'node:path';
import type { Readable } from 'node:stream';
import { type Clock, isStorageError, type Logger, TOKENS } from '@deskrec/core';
import type { HostConfig } from '../config/schema.js';
import type { CallsRepo } from '../db/repos/calls.js';
import type { SettingsRepo } from '../db/repos/settings.js';
import type { Job } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { AddressPolicy } from '../net/address-policy.js';
import { FetchRefused, safeFetch } from '../net/safe-fetch.js';
import { pbxFileKey } from '../recordings/pbx-file-key.js';
import type { PbxRecordingLocation, PbxRecordingSources } from '../recordings/pbx-recording-sources.js';
import type { TargetResolver } from '../storage/target-resolver.js';
import { HOST_TOKENS } from '../tokens.js';
import { AUDIO_EXTENSIONS, audioKey } from './audio-key.js';
import { RetryLater } from './job-runner.js';

export const FETCH_PBX_RECORDING_JOB = 'fetch-pbx-recording';

/** What the call page shows while the job retries; the final answers start with `fetched` or `failed:`. */
export const WAITING = "waiting for the PBX's recording";

const TYPES: Record<string, string> = Object.fromEntries(
  Object.entries(AUDIO_EXTENSIONS).map(([type, extension]) => [extension, type]),
);

/** The file could not be read this time; whether that is worth another try. */
type Missing = { missing: string; permanent?: boolean };

/**
 * Fetches the recording a PBX made of a call (reported by file name) from the source's `recordings`
 * location, streamed into the tenant's storage target and linked to the call. The PBX may still be writing
 * or moving the file when the call ends, so a missing file is retried with growing pauses until
 * `giveUpAfterMinutes`; then the reason stays on the call and an error goes to the System Log.
 */
@injectable()
export class FetchPbxRecordingJob {
  private readonly policy: AddressPolicy;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(
    @inject(HOST_TOKENS.CallsRepo) private readonly calls: CallsRepo,
    @inject(HOST_TOKENS.SettingsRepo) private readonly settings: SettingsRepo,
    @inject(HOST_TOKENS.TargetResolver) private readonly targets: TargetResolver,
    @inject(HOST_TOKENS.PbxRecordingSources) private readonly sources: PbxRecordingSources,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(HOST_TOKENS.Config) config: HostConfig,
  ) {
    this.policy = new AddressPolicy(config.fetch.allow);
    this.timeoutMs = config.fetch.timeoutSeconds * 1000;
    this.maxBytes = config.uploads.maxSegmentBytes;
  }

  readonly handle = async (job: Job): Promise<void> => {
    const tenantId = job.tenant_id;
    const { callId, sourceId, file } = job.payload as { callId: string; sourceId: string; file: string };
    const call = await this.calls.forAudio(tenantId, callId);
    if (!call || call.audio_key) return;
    const fail = async (reason: string) => {
      await this.calls.noteAudioFetch(tenantId, callId, `failed: ${reason}`);
      this.logger.error({ callId, sourceId, file, reason }, `PBX recording not fetched: ${reason}`);
    };
    const location = this.sources.get(sourceId);
    if (!location) return fail(`source ${sourceId} has no recordings location configured`);
    const mapped = pbxFileKey(file, location.config.prefix);
    if ('refused' in mapped) return fail(mapped.refused);
    const opened = await this.open(location, mapped.key);
    if ('missing' in opened) {
      const waitedMs = this.clock.now().getTime() - new Date(job.created_at).getTime();
      const giveUpMs = location.config.giveUpAfterMinutes * 60_000;
      if (opened.permanent || waitedMs >= giveUpMs) {
        const after = opened.permanent ? '' : ` (gave up after ${location.config.giveUpAfterMinutes} min)`;
        return fail(`${opened.missing}${after}`);
      }
      await this.calls.noteAudioFetch(tenantId, callId, `${WAITING}: ${opened.missing}`);
      throw new RetryLater(`PBX recording ${file}: ${opened.missing}`);
    }
    const extension = path.extname(mapped.key).slice(1).toLowerCase() || 'wav';
    const contentType =
      TYPES[extension] ?? (opened.contentType?.startsWith('audio/') ? opened.contentType : 'audio/wav');
    const key = await audioKey(this.settings, tenantId, call, extension);
    const { id: targetId, target } = await this.targets.forTenant(tenantId);
    try {
      const stored = await target.put(key, opened.body, { contentType });
      await this.calls.setAudio(tenantId, callId, key, targetId);
      await this.calls.noteAudioFetch(tenantId, callId, `fetched from the PBX, ${stored.size} bytes stored`);
      this.logger.info({ callId, key, bytes: stored.size }, 'PBX recording stored');
    } catch (error) {
      opened.body.destroy();
      throw new RetryLater((error as Error).message, isStorageError(error) && !error.retryable);
    }
  };

  /** The recording's bytes, streamed, or why it cannot be read now. */
  private async open(
    location: PbxRecordingLocation,
    key: string,
  ): Promise<{ body: Readable; contentType?: string } | Missing> {
    if (location.storage) {
      try {
        const target = await location.storage();
        return { body: (await target.get(key)).body };
      } catch (error) {
        if (isStorageError(error, 'not-found')) return { missing: `${key} does not exist (yet)` };
        return { missing: `reading ${key} failed: ${(error as Error).message}` };
      }
    }
    const url = new URL(key.split('/').map(encodeURIComponent).join('/'), location.config.url).href;
    try {
      const response = await safeFetch(url, {
        policy: this.policy,
        timeoutMs: this.timeoutMs,
        maxBytes: this.maxBytes,
      });
      if (response.status >= 200 && response.status < 300)
        return {
          body: response.body,
          ...(response.contentType ? { contentType: response.contentType } : {}),
        };
      response.body.resume();
      return { missing: `${url} answered ${response.status}` };
    } catch (error) {
      const refused = error instanceof FetchRefused;
      return {
        missing: `${url} ${refused ? 'refused' : 'failed'}: ${(error as Error).message}`,
        permanent: refused,
      };
    }
  }
}
