import type { AgentIdentity, CallEventInput } from '@deskrec/core';

export type ParsedLine = { ok: true; event: CallEventInput } | { ok: false; message: string };

const DIRECTIONS = new Set(['inbound', 'outbound', 'internal']);
// An ISO 8601 time with a zone, so events are never shifted by the host's own time zone.
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Turns one line into a call event. The wire format:
 *
 * ```
 * <time> START <call id> <agent> <inbound|outbound|internal> [<remote number>]
 * <time> END   <call id> <agent> [<reason>]
 * ```
 */
export function parseLine(line: string, agentBy: AgentIdentity['by']): ParsedLine {
  const fields = line.trim().split(/\s+/);
  const [time, verb, callId, agent, ...rest] = fields;
  if (!time || !verb || !callId || !agent) {
    return { ok: false, message: 'expected "<time> START|END <call id> <agent> ..."' };
  }
  if (!ISO_TIME.test(time) || Number.isNaN(Date.parse(time))) {
    return { ok: false, message: `"${time}" is not an ISO 8601 time with a zone` };
  }
  const at = new Date(time);
  const who: AgentIdentity = { by: agentBy, value: agent };
  if (verb === 'START') {
    const [direction, remote, ...extra] = rest;
    if (!direction || !DIRECTIONS.has(direction)) {
      return { ok: false, message: 'START needs a direction: inbound, outbound or internal' };
    }
    if (extra.length > 0) return { ok: false, message: 'START has too many fields' };
    const remoteParty = remote ? { number: remote } : undefined;
    // Only an extension is a phone number; a user id or login is not a party of the call.
    const agentParty = agentBy === 'extension' ? { number: agent } : undefined;
    const [from, to] = direction === 'inbound' ? [remoteParty, agentParty] : [agentParty, remoteParty];
    return {
      ok: true,
      event: {
        type: 'call.started',
        callId,
        at,
        direction: direction as CallEventInput['direction'],
        agent: who,
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      },
    };
  }
  if (verb === 'END') {
    const reason = rest.join(' ');
    return {
      ok: true,
      event: { type: 'call.ended', callId, at, agent: who, ...(reason ? { reason } : {}) },
    };
  }
  return { ok: false, message: `unknown event "${verb}"; expected START or END` };
}
