import type { CallLegsRepo, WaitingLeg } from '../db/repos/call-legs.js';
import type { CallsRepo } from '../db/repos/calls.js';
import type { UsersRepo, UserView } from '../db/repos/users.js';
import type { CallLeg } from '../db/schema.js';
import { inject, injectable } from '../di.js';
import { HOST_TOKENS } from '../tokens.js';
import type { CaptureCommands } from './capture-commands.js';
import type { DecisionLog } from './decision-log.js';
import type { LiveDirectory } from './live-directory.js';
import { type LiveState, legKey } from './live-state.js';
import { loginsMatch } from './login-match.js';
import type { TimeLimits } from './time-limits.js';

/**
 * Calls whose agent was not reachable when they started (no workstation signed in, or it was offline):
 * when the agent signs in or the workstation is approved during the call, its capture starts then.
 */
@injectable()
export class WaitingCalls {
  constructor(
    @inject(HOST_TOKENS.CallLegsRepo) private readonly legs: CallLegsRepo,
    @inject(HOST_TOKENS.CallsRepo) private readonly calls: CallsRepo,
    @inject(HOST_TOKENS.UsersRepo) private readonly users: UsersRepo,
    @inject(HOST_TOKENS.LiveState) private readonly live: LiveState,
    @inject(HOST_TOKENS.LiveDirectory) private readonly directory: LiveDirectory,
    @inject(HOST_TOKENS.CaptureCommands) private readonly commands: CaptureCommands,
    @inject(HOST_TOKENS.TimeLimits) private readonly limits: TimeLimits,
    @inject(HOST_TOKENS.DecisionLog) private readonly log: DecisionLog,
  ) {}

  /** Notes on the leg and its call why nothing is recorded. */
  async noRecording(leg: CallLeg, externalCallId: string, reason: string, detail: string): Promise<void> {
    await this.legs.setNoRecording(leg.id, reason);
    await this.calls.noteNoRecording(leg.call_id, `${reason}: ${detail}`);
    this.log.call(externalCallId, `no screen recording (${reason})`, { detail });
  }

  /** A user just became reachable: start captures for their calls that are still going and have none. */
  async startFor(tenantId: string, login: string): Promise<void> {
    for (const leg of await this.legs.waiting(tenantId)) {
      if (!leg.screen_recording_login || !loginsMatch(leg.screen_recording_login, login)) continue;
      const user = await this.users.get(tenantId, leg.user_id!);
      if (user?.seatLicence) {
        this.log.call(
          leg.external_call_id,
          'agent became reachable during the call; starting the capture now',
        );
        await this.start(leg, user);
      }
    }
  }

  /** Joins or starts a capture on the user's workstation for one waiting leg. */
  private async start(leg: WaitingLeg, user: UserView): Promise<void> {
    const externalCallId = leg.external_call_id;
    const key = legKey(leg.source_id, externalCallId, { by: leg.agent_by, value: leg.agent_value });
    const state = await this.live.load(leg.tenant_id);
    const workstationId = this.live.workstationFor(leg.tenant_id, user.screenRecordingLogin!);
    if (!workstationId) {
      return this.noRecording(
        leg,
        externalCallId,
        'no-workstation',
        `${user.screenRecordingLogin} is not logged in on an authorized, connected workstation`,
      );
    }
    const active = state.captures.get(workstationId);
    if (active) {
      await this.legs.link(leg, active.recordingId);
      state.setLeg(key, { recordingId: active.recordingId, workstationId, ended: false });
      this.log.call(externalCallId, 'joins the capture already running on the workstation', {
        recordingId: active.recordingId,
        workstationId,
      });
      return;
    }
    const { settings } = this.directory.peek(leg.tenant_id) ?? (await this.directory.load(leg.tenant_id));
    const capture = this.commands.newCapture(leg.tenant_id, workstationId, user.id, {
      sourceId: leg.source_id,
      externalCallId,
    });
    const { recordingId, captureId } = capture;
    await this.commands.insertRecording(leg.tenant_id, workstationId, user.id, capture);
    if (!this.commands.sendStart(leg.tenant_id, workstationId, capture, settings)) {
      await this.commands.end(
        leg.tenant_id,
        recordingId,
        'failed',
        'the workstation went offline before the capture started',
      );
      return this.noRecording(leg, externalCallId, 'agent-offline', 'the workstation was not connected');
    }
    state.setCapture(workstationId, { recordingId, captureId });
    state.setLeg(key, { recordingId, workstationId, ended: false });
    await this.legs.link(leg, recordingId);
    await this.limits.queueMaxDuration(leg.tenant_id, recordingId, settings);
    this.log.call(externalCallId, 'capture started', { recordingId, captureId, workstationId });
  }
}
