import type { CallEvent } from '@deskrec/core';
import type { UserView } from '../db/repos/users.js';
import type { TenantDirectory } from './live-directory.js';
import type { LiveCapture, TenantState } from './live-state.js';

/** Names for what a queued task may change (see TaskQueue). */
export const legTag = (tenantId: string, key: string) => `leg\n${tenantId}\n${key}`;
export const callTag = (tenantId: string, sourceId: string, callId: string) =>
  `call\n${tenantId}\n${sourceId}\n${callId}`;
export const workstationTag = (tenantId: string, workstationId: string) =>
  `ws\n${tenantId}\n${workstationId}`;

export type StartOutcome =
  | { kind: 'none'; reason: string; detail: string }
  | { kind: 'join'; workstationId: string; capture: LiveCapture }
  | { kind: 'start'; workstationId: string };

export type StartDecision =
  /** The leg was seen before: a repeated or late event, settled against the database. */
  | { kind: 'known-leg'; tags: string[] }
  | { kind: 'decided'; tags: string[]; user: UserView | undefined; outcome: StartOutcome };

export interface StartInput {
  tenantId: string;
  sourceId: string;
  key: string;
  event: CallEvent;
  state: TenantState;
  directory: TenantDirectory;
  workstationFor: (tenantId: string, login: string) => string | undefined;
}

/**
 * What a call start means for its agent, from memory only: no user, no licence, no workstation, join the
 * capture already running on the agent's workstation, or start one. `tags` name what the decision read.
 */
export function decideStart(input: StartInput): StartDecision {
  const { tenantId, key, state, directory } = input;
  const { agent } = input.event;
  const tags = [legTag(tenantId, key), callTag(tenantId, input.sourceId, input.event.callId)];
  if (state.legs.has(key)) return { kind: 'known-leg', tags };
  const user = directory.find(agent);
  const none = (reason: string, detail: string): StartDecision => ({
    kind: 'decided',
    tags,
    user,
    outcome: { kind: 'none', reason, detail },
  });
  if (!user) return none('no-user', `no user has ${agent.by} ${agent.value}`);
  if (!user.seatLicence) return none('no-licence', `${user.name} has no screen-recording seat licence`);
  if (!user.screenRecordingLogin) return none('no-workstation', `${user.name} has no screen-recording login`);
  const workstationId = input.workstationFor(tenantId, user.screenRecordingLogin);
  if (!workstationId) {
    return none(
      'no-workstation',
      `${user.screenRecordingLogin} is not logged in on an authorized, connected workstation`,
    );
  }
  tags.push(workstationTag(tenantId, workstationId));
  const capture = state.captures.get(workstationId);
  return {
    kind: 'decided',
    tags,
    user,
    outcome: capture ? { kind: 'join', workstationId, capture } : { kind: 'start', workstationId },
  };
}
