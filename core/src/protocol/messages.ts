import { z } from 'zod';
import { CaptureSettingsSchema } from '../domain/settings.js';

/** Bumped on any incompatible change to the controller channel. */
export const PROTOCOL_VERSION = 1;
/** Largest controller message either side accepts, in bytes. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const id = z.string().min(1).max(128);
const timestamp = z.iso.datetime({ offset: true });

export const MonitorSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().max(128).optional(),
  width: z.number().int().positive().max(32768),
  height: z.number().int().positive().max(32768),
  x: z.number().int(),
  y: z.number().int(),
  primary: z.boolean(),
});

/** A Windows-style or plain login: `DOMAIN\login`, `NETBIOS\login` or `login`. */
export const LoginSchema = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .regex(/^([^\\/\s]+\\)?[^\\/\s]+$/, 'must be DOMAIN\\login, NETBIOS\\login or login');

const SegmentInfoSchema = z.object({
  index: z.number().int().min(0),
  monitorId: z.string().min(1).max(64),
  startedAt: timestamp,
  durationMs: z.number().int().min(0),
  bytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
  fileName: z.string().min(1).max(255),
});

/**
 * Why `login` is what it is: a user is signed in, nobody is signed in at the console (an agent running as a
 * service before anyone logs on), or the OS could not be asked. Optional: older agents leave it out.
 */
const PresenceSchema = z.enum(['signed-in', 'no-user', 'unknown']).optional();

/** One segment file, as both sides name it: its capture, monitor and index. */
const SegmentRefSchema = z
  .object({ captureId: id, monitorId: z.string().min(1).max(64), index: z.number().int().min(0) })
  .strict();
/** How many segments one `hello` lists as waiting for storage; more are listed on a later connection. */
export const MAX_PENDING_SEGMENTS = 200;

const envelope = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ v: z.literal(PROTOCOL_VERSION), type: z.literal(type), ...shape }).strict();

/** Agent → host. */
export const AgentMessageSchema = z.discriminatedUnion('type', [
  envelope('hello', {
    tenantToken: z.string().min(16).max(256),
    workstationId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,128}$/, 'must be 16–128 characters of A–Z, a–z, 0–9, "_" or "-"'),
    workstationSecret: z.string().min(43).max(256),
    computerName: z.string().min(1).max(255),
    domain: z.string().max(255).optional(),
    os: z.object({
      platform: z.string().max(32),
      release: z.string().max(128),
    }),
    agentVersion: z.string().min(1).max(64),
    monitors: z.array(MonitorSchema).max(16),
    login: LoginSchema.nullable(),
    presence: PresenceSchema,
    /** The capture backend's own description (plugin, version, input); older agents leave it out. */
    captureBackend: z.string().min(1).max(512).optional(),
    /**
     * Segments the agent uploaded and still keeps, because no host said they are in storage yet; the host
     * answers each with `segment.stored` or `segment.resend`. Older agents leave it out.
     */
    pendingSegments: z.array(SegmentRefSchema).max(MAX_PENDING_SEGMENTS).optional(),
  }),
  envelope('session', { login: LoginSchema.nullable(), presence: PresenceSchema }),
  envelope('capture.started', { captureId: id, startedAt: timestamp }),
  envelope('capture.segment', { captureId: id, segment: SegmentInfoSchema }),
  envelope('capture.stopped', {
    captureId: id,
    stoppedAt: timestamp,
    reason: z.string().max(256),
  }),
  envelope('capture.failed', {
    captureId: id,
    error: z.string().max(4096),
    stderrTail: z.array(z.string().max(1024)).max(50).default([]),
  }),
  envelope('capture.refused', { captureId: id, reason: z.string().max(1024) }),
  envelope('heartbeat', { at: timestamp }),
  /**
   * The spool's account of what it could not upload, and of its own health: a file discarded (nothing to
   * play) or kept aside (the host holds another file under its identity), the spool unwritable or full, and
   * back to ok. The host logs it and records it on the workstation.
   */
  envelope('spool.report', {
    kind: z.enum(['file-discarded', 'file-kept', 'spool-unwritable', 'spool-full', 'spool-ok']),
    captureId: id.optional(),
    fileName: z.string().min(1).max(255).optional(),
    bytes: z.number().int().min(0).optional(),
    freeMb: z.number().min(0).optional(),
    reason: z.string().max(1024),
    at: timestamp,
  }),
]);

export const WorkstationAuthStateSchema = z.enum(['pending', 'authorized', 'forbidden']);

/** Host → agent. */
export const HostMessageSchema = z.discriminatedUnion('type', [
  envelope('welcome', {
    workstationId: z.string(),
    state: WorkstationAuthStateSchema,
    settings: CaptureSettingsSchema,
    /** Base URL segments are uploaded to; `{controller-host}` in it stands for the address the agent connected to. */
    uploadUrl: z.string(),
    serverTime: timestamp,
  }),
  /** `deleted`: the admin removed the workstation; the host closes the connection, a reconnect enrolls anew. */
  envelope('authorization', { state: z.enum([...WorkstationAuthStateSchema.options, 'deleted']) }),
  envelope('settings', {
    settings: CaptureSettingsSchema,
    uploadUrl: z.string(),
  }),
  envelope('capture.start', {
    captureId: id,
    recordingId: id,
    settings: CaptureSettingsSchema,
    /**
     * Upload token for this capture's segments (bearer, valid until the segments are stored); opaque to the
     * agent. Signed by the host, it says which capture it belongs to (ADR 14), hence up to 2048 characters.
     */
    uploadToken: z.string().min(16).max(2048),
  }),
  envelope('capture.stop', { captureId: id, reason: z.string().max(256) }),
  /** The segment is in the storage target: the agent may delete its copy now (and only now). */
  envelope('segment.stored', { segment: SegmentRefSchema }),
  /** The host does not have the segment (its copy was lost before it was stored): upload it again. */
  envelope('segment.resend', { segment: SegmentRefSchema, reason: z.string().max(256) }),
  envelope('error', {
    code: z.enum([
      'malformed',
      'unknown-type',
      'protocol-version',
      'invalid',
      'unauthorized',
      'rejected',
      'internal',
    ]),
    message: z.string(),
    /** Close follows: the agent should not retry with the same input. */
    fatal: z.boolean().default(false),
  }),
]);

export type AgentMessage = z.output<typeof AgentMessageSchema>;
export type HostMessage = z.output<typeof HostMessageSchema>;
export type AgentMessageInput = z.input<typeof AgentMessageSchema>;
export type HostMessageInput = z.input<typeof HostMessageSchema>;
export type AgentMessageType = AgentMessage['type'];
export type HostMessageType = HostMessage['type'];

type WithoutVersion<M> = M extends unknown ? Omit<M, 'v'> : never;
/** An agent message as code builds it; the sender adds the protocol version. */
export type AgentMessageBody = WithoutVersion<AgentMessageInput>;
/** A host message as code builds it; the sender adds the protocol version. */
export type HostMessageBody = WithoutVersion<HostMessageInput>;
export type SegmentRef = z.output<typeof SegmentRefSchema>;
