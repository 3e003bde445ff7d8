import type { RecordingsTable } from '../db/schema.js';

export type ScreenStateName = RecordingsTable['state'] | 'waiting';

/** A call's screen recording as the calls list and the call page show it. */
export interface ScreenState {
  state: ScreenStateName;
  label: string;
  tone: 'ok' | 'warn' | 'bad' | 'info' | undefined;
  /** Why there is none, in words an admin can act on. */
  reason?: string | undefined;
}

const REASONS: Record<string, string> = {
  'no-user': 'no user matches the call',
  'no-licence': 'the user has no screen-recording seat licence',
  'no-workstation': 'the user is not signed in on an authorized workstation',
  'workstation-not-authorized': 'the workstation is not authorized',
  'agent-offline': 'the workstation was offline',
  'ended-before-start': 'the call ended before recording could start',
  'agent-refused': 'the workstation refused to record',
};

/** "no-licence: Alice has no …" (calls.no_recording_reason) or a bare code (call_legs) → a sentence. */
export function describeReason(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const colon = raw.indexOf(': ');
  const code = colon > 0 ? raw.slice(0, colon) : raw;
  const detail = colon > 0 ? raw.slice(colon + 2) : undefined;
  return detail ?? REASONS[code] ?? code.replace(/-/g, ' ');
}

const LABELS: Record<ScreenStateName, [string, ScreenState['tone']]> = {
  recording: ['Recording', 'info'],
  uploading: ['Uploading', 'warn'],
  stored: ['Stored', 'ok'],
  failed: ['Failed', 'bad'],
  none: ['None', undefined],
  waiting: ['Waiting', 'info'],
};

/**
 * One state for a call from its recordings (a transferred call may have several): the least finished one
 * wins, so "stored" means every part of the call's screen recording is stored.
 */
export function screenStateOf(input: {
  recordingStates: RecordingsTable['state'][];
  callState: 'active' | 'ended';
  callReason: string | null;
  legReasons: (string | null)[];
}): ScreenState {
  const states = new Set<string>(input.recordingStates.filter((s) => s !== 'none'));
  const order: ScreenStateName[] = ['recording', 'uploading', 'failed', 'stored'];
  const found = order.find((s) => states.has(s));
  const reason = describeReason(input.callReason ?? input.legReasons.find((r) => r) ?? null);
  if (found) {
    const [label, tone] = LABELS[found];
    return { state: found, label, tone, reason: found === 'failed' ? reason : undefined };
  }
  if (input.callState === 'active' && !reason) {
    return {
      state: 'waiting',
      label: LABELS.waiting[0],
      tone: 'info',
      reason: 'the recording has not started yet',
    };
  }
  return {
    state: 'none',
    label: LABELS.none[0],
    tone: undefined,
    reason: reason ?? 'no recording was started',
  };
}
