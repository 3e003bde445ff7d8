import type { EslEvent } from './call-tracker.js';

/** The mod_callcenter event the source subscribes to (`event plain ... CUSTOM callcenter::info`). */
export const CALLCENTER_SUBCLASS = 'callcenter::info';

export type CallcenterAction =
  | { kind: 'state'; agent: string; state: string }
  | {
      kind: 'start';
      agent: string;
      agentUuid?: string;
      memberUuid?: string;
      callerNumber?: string;
    }
  | { kind: 'end'; agent: string; agentUuid?: string; cause?: string };

const value = (event: EslEvent, name: string): string | undefined => {
  const v = event[name];
  return v === undefined || v === '' ? undefined : v;
};

/** Reads the agent events of a `CUSTOM callcenter::info` event; undefined for anything else. */
export function callcenterAction(event: EslEvent): CallcenterAction | undefined {
  if (event['Event-Name'] !== 'CUSTOM' || event['Event-Subclass'] !== CALLCENTER_SUBCLASS) return undefined;
  const agent = value(event, 'CC-Agent');
  if (!agent) return undefined;
  switch (event['CC-Action']) {
    case 'agent-state-change': {
      const state = value(event, 'CC-Agent-State');
      return state ? { kind: 'state', agent, state } : undefined;
    }
    case 'bridge-agent-start': {
      const agentUuid = value(event, 'CC-Agent-UUID');
      const memberUuid = value(event, 'CC-Member-Session-UUID');
      const callerNumber = value(event, 'CC-Member-CID-Number') ?? value(event, 'CC-Caller-CID-Number');
      return {
        kind: 'start',
        agent,
        ...(agentUuid ? { agentUuid } : {}),
        ...(memberUuid ? { memberUuid } : {}),
        ...(callerNumber ? { callerNumber } : {}),
      };
    }
    case 'bridge-agent-end': {
      const agentUuid = value(event, 'CC-Agent-UUID');
      const cause = value(event, 'CC-Hangup-Cause');
      return { kind: 'end', agent, ...(agentUuid ? { agentUuid } : {}), ...(cause ? { cause } : {}) };
    }
    default:
      return undefined;
  }
}
