import { randomBytes, randomUUID } from 'node:crypto';
import {
  type Clock,
  captureSettingsOf,
  PROTOCOL_VERSION,
  type ScreenRecordingSettings,
  TOKENS,
} from '@deskrec/core';
import type { Insertable } from 'kysely';
import type { EndedRecordingState, RecordingsRepo } from '../db/repos/recordings.js';
import type { SegmentsRepo } from '../db/repos/segments.js';
import type { Database } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import type { SealRecordingJob } from '../integrity/seal-recording.js';
import { hashUploadToken } from '../recordings/upload-grants.js';
import { HOST_TOKENS } from '../tokens.js';
import type { UploadSigningKeys } from '../uploads/upload-signing-keys.js';
import type { AgentChannel } from '../workstations/ports.js';
import type { LiveState } from './live-state.js';

/** The ids and upload token of a capture about to be asked for. */
export interface NewCapture {
  recordingId: string;
  captureId: string;
  token: { token: string; hash: string };
}

/**
 * What the host tells a workstation's agent (`capture.start`, `capture.stop`) and what that does to the
 * recording's row and to memory: a recording is created with its start, marked stopping when the stop goes
 * out, and ended when the agent confirms (or could not be told).
 */
@injectable()
export class CaptureCommands {
  constructor(
    @inject(HOST_TOKENS.AgentChannel) private readonly channel: AgentChannel,
    @inject(HOST_TOKENS.RecordingsRepo) private readonly recordings: RecordingsRepo,
    @inject(HOST_TOKENS.SegmentsRepo) private readonly segments: SegmentsRepo,
    @inject(HOST_TOKENS.LiveState) private readonly live: LiveState,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(HOST_TOKENS.SealRecordingJob) private readonly sealer: SealRecordingJob,
    @inject(HOST_TOKENS.UploadSigningKeys) private readonly keys: UploadSigningKeys,
  ) {}

  /**
   * Fresh ids and an upload token that says what the capture is (ADR 14): should the host die before the
   * rows are written, an upload with it re-creates them.
   */
  newCapture(
    tenantId: string,
    workstationId: string,
    userId: string | null,
    call: { sourceId: string; externalCallId: string } | null,
  ): NewCapture {
    const recordingId = randomUUID();
    const captureId = `cap_${randomBytes(12).toString('hex')}`;
    const token = this.keys.issue({ tenantId, workstationId, recordingId, captureId, userId, call });
    return { recordingId, captureId, token: { token, hash: hashUploadToken(token) } };
  }

  /** A new capture's recording row, state "recording" from now. */
  recordingRow(
    tenantId: string,
    workstationId: string,
    userId: string,
    capture: { recordingId: string; captureId: string; tokenHash: string },
  ): Insertable<Database['recordings']> {
    return {
      id: capture.recordingId,
      tenant_id: tenantId,
      workstation_id: workstationId,
      user_id: userId,
      capture_id: capture.captureId,
      state: 'recording',
      started_at: this.clock.now(),
      ended_at: null,
      end_reason: null,
      upload_token_hash: capture.tokenHash,
    };
  }

  insertRecording(
    tenantId: string,
    workstationId: string,
    userId: string,
    capture: NewCapture,
  ): Promise<void> {
    return this.recordings.insert(
      this.recordingRow(tenantId, workstationId, userId, { ...capture, tokenHash: capture.token.hash }),
    );
  }

  /** Sends `capture.start`; false when the workstation is not connected. */
  sendStart(
    tenantId: string,
    workstationId: string,
    capture: NewCapture,
    settings: ScreenRecordingSettings,
  ): boolean {
    return this.channel.send(tenantId, workstationId, {
      v: PROTOCOL_VERSION,
      type: 'capture.start',
      captureId: capture.captureId,
      recordingId: capture.recordingId,
      settings: captureSettingsOf(settings),
      uploadToken: capture.token.token,
    });
  }

  /** Sends `capture.stop` (no new call joins the capture from now on); false when the agent is gone. */
  sendStop(tenantId: string, workstationId: string, captureId: string, reason: string): boolean {
    return this.channel.send(tenantId, workstationId, {
      v: PROTOCOL_VERSION,
      type: 'capture.stop',
      captureId,
      reason,
    });
  }

  /** Stops a running capture; one whose workstation is gone ends here, its segments still to come. */
  async stop(tenantId: string, recordingId: string, reason: string): Promise<void> {
    const recording = await this.recordings.forStop(tenantId, recordingId);
    // From now on a new call of the workstation gets a capture of its own.
    this.live.peek(tenantId)?.dropCapture(recordingId);
    if (recording?.state !== 'recording' || recording.ended_at) return;
    if (!this.sendStop(tenantId, recording.workstation_id, recording.capture_id, reason)) {
      await this.end(tenantId, recordingId, 'uploading', `workstation disconnected before ${reason}`);
      return;
    }
    await this.recordings.markStopping(tenantId, recordingId, reason);
  }

  /** Ended only when the agent confirms (its last segments come first); until then it is marked as stopping. */
  markStopping(tenantId: string, recordingId: string, reason: string): Promise<void> {
    return this.recordings.markStopping(tenantId, recordingId, reason);
  }

  async end(
    tenantId: string,
    recordingId: string,
    state: EndedRecordingState,
    reason: string,
  ): Promise<void> {
    this.live.peek(tenantId)?.dropCapture(recordingId);
    await this.recordings.end(tenantId, recordingId, state, reason, this.clock.now());
    await this.segments.refreshRecordingState(tenantId, recordingId);
    await this.sealer.whenStored(tenantId, recordingId);
  }
}
