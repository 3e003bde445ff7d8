import type { AgentIdentity } from '@deskrec/core';
import { uriParts } from '../sip/name-addr.js';
import type { MetadataParticipant } from './rs-metadata.js';

export interface AgentRule {
  pattern: RegExp;
  domains?: readonly string[] | undefined;
}

/** The agent among the participants: the first whose AOR matches the rule, with its extension. */
export function findAgent(
  participants: readonly MetadataParticipant[],
  rule: AgentRule,
): { participant: MetadataParticipant; identity: AgentIdentity } | undefined {
  const domains = rule.domains?.map((d) => d.toLowerCase());
  for (const participant of participants) {
    if (!participant.aor) continue;
    const match = rule.pattern.exec(participant.aor);
    if (!match) continue;
    const { user, host } = uriParts(participant.aor);
    if (domains && !domains.includes(host)) continue;
    const value = (match[1] ?? user ?? '').trim();
    if (!value) continue;
    return { participant, identity: { by: 'extension', value } };
  }
  return undefined;
}
