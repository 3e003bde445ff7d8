import { z } from 'zod';

/** How the agent on the call is identified by the phone system. */
export const AgentIdentitySchema = z
  .object({
    by: z.enum(['extension', 'user-id', 'login']).describe('Which identifier the value is'),
    value: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .describe('The extension number, user id or screen-recording login'),
  })
  .describe('The agent whose screen is recorded');

export const PartySchema = z.object({
  number: z.string().max(128).optional().describe('Phone number or extension'),
  name: z.string().max(256).optional().describe('Display name'),
});

/** An audio file a source recorded locally for a call. */
export const CallAudioFileSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .max(4096)
      .describe('Absolute path of the finished file on the host running the source'),
    contentType: z.string().min(1).max(128).describe('Media type of the file, e.g. `audio/wav`'),
  })
  .describe('Audio recorded by the source itself; the host stores it and links it to the call');

/** A recording the phone system itself made of the call (Asterisk MixMonitor, FreeSWITCH record_session). */
export const PbxRecordingSchema = z
  .object({
    file: z
      .string()
      .min(1)
      .max(4096)
      .refine((file) => !file.includes('\0'), { message: 'must not contain a NUL character' })
      .describe('The file name as the phone system reports it, e.g. `/var/spool/asterisk/monitor/x.wav`'),
  })
  .describe(
    'A recording the PBX wrote on its own disk; the host fetches it from the location configured for the source',
  );

export const CallDirectionSchema = z.enum(['inbound', 'outbound', 'internal', 'unknown']);

/**
 * A normalized call event. `call.started` means the agent is now on the call (answered or bridged);
 * `call.ended` means the agent left it. A transfer is an end for one agent and a start for another
 * with the same call id.
 */
export const CallEventSchema = z.object({
  type: z
    .enum(['call.started', 'call.ended'])
    .describe('started: the agent is on the call; ended: the agent left it'),
  callId: z
    .string()
    .trim()
    .min(1)
    .max(256)
    .describe('The phone system’s id for the whole call (stable across legs)'),
  at: z.coerce.date().describe('When it happened, per the phone system'),
  direction: CallDirectionSchema.default('unknown'),
  agent: AgentIdentitySchema,
  from: PartySchema.optional(),
  to: PartySchema.optional(),
  /** Tenant slug; single-tenant sources leave it out and the host uses the source's configured tenant. */
  tenant: z.string().max(128).optional(),
  /** Source-specific reason, e.g. hangup cause. */
  reason: z.string().max(256).optional(),
  /** Where the host may fetch the call's audio (a recorder that keeps it elsewhere says so on call.ended). */
  audioUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional()
    .describe('http(s) URL of the call audio that the host may fetch'),
  /**
   * A recording the source itself wrote on this host (a SIPREC recording server), on call.ended only: the host
   * stores the file through the storage target like a screen segment, links it to the call, then may delete it.
   */
  audio: CallAudioFileSchema.optional(),
  /** The PBX's own recording of the call, on call.ended (or on whichever event first names it). */
  recording: PbxRecordingSchema.optional(),
});

export type CallEvent = z.output<typeof CallEventSchema>;
export type CallEventInput = z.input<typeof CallEventSchema>;
export type AgentIdentity = z.output<typeof AgentIdentitySchema>;
export type CallDirection = z.output<typeof CallDirectionSchema>;
export type CallAudioFile = z.output<typeof CallAudioFileSchema>;
export type PbxRecording = z.output<typeof PbxRecordingSchema>;
