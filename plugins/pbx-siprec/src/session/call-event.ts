import type { AgentIdentity, CallAudioFile, CallEvent, CallEventInput, PartySchema } from '@deskrec/core';
import type { z } from 'zod';
import { uriParts } from '../sip/name-addr.js';
import type { RecordingSession } from './recording-session.js';

type Party = z.input<typeof PartySchema>;

/** The call event for a session: its call id, the agent, and the metadata's first two participants as parties. */
export function callEventFor(
  session: RecordingSession,
  type: CallEvent['type'],
  at: Date,
  agent: AgentIdentity,
  reason?: string,
  audio?: CallAudioFile,
): CallEventInput {
  const parties = (session.metadata?.participants ?? []).map(
    (p): Party => ({
      ...(p.aor ? { number: (uriParts(p.aor).user ?? p.aor).slice(0, 128) } : {}),
      ...(p.name ? { name: p.name.slice(0, 256) } : {}),
    }),
  );
  return {
    type,
    callId: session.callId.slice(0, 256),
    at,
    direction: 'unknown',
    agent,
    ...(parties[0] ? { from: parties[0] } : {}),
    ...(parties[1] ? { to: parties[1] } : {}),
    ...(reason ? { reason } : {}),
    ...(audio ? { audio } : {}),
  };
}
