import type { RecordingState, SegmentState } from '@deskrec/core';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** A timestamp: written as a Date, read back as a Date by both drivers. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;
/** A nullable timestamp column added later, with a default: optional on insert. */
type LaterTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface TenantsTable {
  id: string;
  slug: string;
  name: string;
  screen_recording_token_hash: string;
  /** First characters of the token: lets an admin tell tokens apart without revealing one. */
  token_hint: string;
  created_at: Timestamp;
  /** Suspended: its agents, sign-ins and API use are refused; deleting/archived: on its way out. */
  state: Generated<TenantState>;
  state_changed_at: Timestamp | null;
}

export type TenantState = 'active' | 'suspended' | 'deleting' | 'archived';

/** `provider-admin`: manages tenants and may act inside any one; otherwise an admin of its own tenant. */
export type AdminRole = 'admin' | 'supervisor' | 'provider-admin';

export interface AdminUsersTable {
  id: string;
  tenant_id: string;
  username: string;
  password_hash: string;
  role: AdminRole;
  disabled: Generated<boolean>;
  created_at: Timestamp;
}

/** A single sign-on identity (issuer + subject) linked to an admin user. */
export interface AdminIdentitiesTable {
  tenant_id: string;
  issuer: string;
  subject: string;
  user_id: string;
  created_at: Timestamp;
  last_sign_in: Timestamp;
}

export interface AdminSessionsTable {
  /** SHA-256 hex of the session token: a database leak does not leak sessions. */
  id: string;
  user_id: string;
  tenant_id: string;
  expires_at: Timestamp;
  created_at: Timestamp;
  ip: string | null;
  last_used_at: Timestamp | null;
  user_agent: string | null;
  /** A sign-in whose password was right, waiting for the second factor: not a session yet. */
  second_factor_pending: Generated<boolean>;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  name: string;
  /** As the admin typed it, e.g. `CORP\Alice`. */
  screen_recording_login: string | null;
  /** Lower-case form used for matching and uniqueness. */
  screen_recording_login_norm: string | null;
  seat_licence: boolean;
  external_id: string | null;
  created_at: Timestamp;
}

export interface UserExtensionsTable {
  tenant_id: string;
  user_id: string;
  extension: string;
}

export type WorkstationStateColumn = 'pending' | 'authorized' | 'forbidden';

export interface WorkstationsTable {
  tenant_id: string;
  id: string;
  secret_hash: string;
  state: WorkstationStateColumn;
  conflict: Generated<boolean>;
  conflict_at: Timestamp | null;
  conflict_address: string | null;
  computer_name: string;
  domain: string | null;
  os: Json<{ platform: string; release: string } | null> | null;
  agent_version: string | null;
  /** What the agent reported as its capture backend (e.g. ffmpeg's version and input). */
  capture_backend: string | null;
  monitors: Json<unknown[]>;
  login: string | null;
  remote_address: string | null;
  online: Generated<boolean>;
  first_seen: Timestamp;
  last_seen: Timestamp;
}

export interface SettingsTable {
  tenant_id: string;
  settings: Json<Record<string, unknown>>;
  updated_at: Timestamp;
}

export interface StorageTargetsTable {
  id: string;
  tenant_id: string;
  name: string;
  kind: string;
  options: Json<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CallsTable {
  id: string;
  tenant_id: string;
  source_id: string;
  external_call_id: string;
  direction: 'inbound' | 'outbound' | 'internal' | 'unknown';
  from_number: string | null;
  from_name: string | null;
  to_number: string | null;
  to_name: string | null;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  user_id: string | null;
  extension: string | null;
  state: 'active' | 'ended';
  no_recording_reason: string | null;
  audio_key: string | null;
  audio_target_id: string | null;
  /** The last answer of the audio fetch: status and size, or why it was refused. */
  audio_fetch: string | null;
  /** Why the host ended the call itself (e.g. no source confirmed it); null when a source ended it. */
  end_reason: string | null;
  /** Set when an upload re-created the row: the host had lost the call's decision (ADR 14). */
  recovered_at?: Timestamp | null;
  /** Legal hold: no retention policy deletes or moves the call's recordings while set. */
  legal_hold: Generated<boolean>;
  legal_hold_reason: Generated<string | null>;
  legal_hold_at: LaterTimestamp;
}

export interface RecordingsTable {
  id: string;
  tenant_id: string;
  workstation_id: string;
  user_id: string | null;
  capture_id: string;
  state: RecordingState;
  started_at: Timestamp;
  ended_at: Timestamp | null;
  end_reason: string | null;
  /** SHA-256 hex of the recording's upload token (the uploads feature issues and checks it). */
  upload_token_hash: string | null;
  /** Last use of the upload token after the capture ended; the token expires a configured time after. */
  upload_renewed_at: Timestamp | null;
  /** Set when an upload re-created the row: the host had lost the capture's decision (ADR 14). */
  recovered_at?: Timestamp | null;
  /** Set while a retention job for the recording is queued (the sweep enqueues it once). */
  retention_queued_at: LaterTimestamp;
  /** When a retention policy deleted the recording's objects. */
  purged_at: LaterTimestamp;
}

/** One agent on one call: when they joined and left, and the capture (or the reason for none) it got. */
export interface CallLegsTable {
  id: string;
  tenant_id: string;
  call_id: string;
  agent_by: 'extension' | 'user-id' | 'login';
  agent_value: string;
  user_id: string | null;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  recording_id: string | null;
  no_recording_reason: string | null;
  /** When a source last confirmed the agent is still on the call; null: only its start did. */
  confirmed_at: Timestamp | null;
}

export interface CallRecordingsTable {
  tenant_id: string;
  call_id: string;
  recording_id: string;
}

export interface SegmentsTable {
  id: string;
  tenant_id: string;
  recording_id: string;
  monitor_id: string;
  idx: number;
  started_at: Timestamp;
  duration_ms: number;
  bytes: number;
  sha256: string;
  state: SegmentState;
  spool_path: string | null;
  storage_target_id: string | null;
  storage_key: string | null;
  stored_at: Timestamp | null;
  error: string | null;
  /** A retention move's old location, kept until its object is deleted there. */
  moved_from_target_id: Generated<string | null>;
  moved_from_key: Generated<string | null>;
}

/** Every address a workstation's agent connected from. */
export interface WorkstationAddressesTable {
  tenant_id: string;
  workstation_id: string;
  address: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
  connections: Generated<number>;
}

/** A key that signs upload tokens; any host of the installation verifies with it (ADR 14). */
export interface UploadSigningKeysTable {
  id: string;
  /** 256 random bits, base64url. */
  secret: string;
  created_at: Timestamp;
}

/** A host process sharing the database; its id is stable per data folder (cluster/host-id.ts). */
export interface HostsTable {
  id: string;
  name: string;
  started_at: Timestamp;
  heartbeat_at: Timestamp;
}

export interface JobsTable {
  id: Generated<number>;
  tenant_id: string;
  kind: string;
  payload: Json<Record<string, unknown>>;
  state: Generated<'queued' | 'running' | 'done' | 'failed'>;
  attempts: Generated<number>;
  run_after: Timestamp;
  last_error: string | null;
  locked_by: string | null;
  locked_until: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Only this host may run the job (a store job: the file is in its spool); null: any host. */
  host_id?: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  tenant_id: string;
  actor_user_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  detail: Json<Record<string, unknown>>;
  ip: string | null;
  at: Timestamp;
}

/** An Ed25519 key the host signs recording manifests with; a retired one keeps only its public half. */
export interface SigningKeysTable {
  /** First 16 hex digits of the SHA-256 of the public key (DER): named in every manifest it signed. */
  id: string;
  /** SPKI PEM. */
  public_key: string;
  /** PKCS#8 PEM; null once retired. */
  private_key: string | null;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

/** A stored recording's manifest: the JSON exactly as signed, its signature and where its copy is stored. */
export interface RecordingManifestsTable {
  tenant_id: string;
  recording_id: string;
  key_id: string;
  body: string;
  /** Ed25519 signature of `body` (UTF-8), base64. */
  signature: string;
  storage_target_id: string | null;
  storage_key: string;
  sealed_at: Timestamp;
}

export interface RetentionPoliciesTable {
  id: string;
  tenant_id: string;
  name: string;
  action: 'delete' | 'move';
  after_days: number;
  /** The storage target a move policy moves to; null for delete. */
  target_id: string | null;
  /** The users whose recordings the policy covers; empty: every user's. */
  user_ids: Json<string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  tenants: TenantsTable;
  admin_users: AdminUsersTable;
  admin_sessions: AdminSessionsTable;
  admin_identities: AdminIdentitiesTable;
  users: UsersTable;
  user_extensions: UserExtensionsTable;
  workstations: WorkstationsTable;
  settings: SettingsTable;
  storage_targets: StorageTargetsTable;
  calls: CallsTable;
  recordings: RecordingsTable;
  call_recordings: CallRecordingsTable;
  call_legs: CallLegsTable;
  segments: SegmentsTable;
  jobs: JobsTable;
  audit_log: AuditLogTable;
  hosts: HostsTable;
  workstation_addresses: WorkstationAddressesTable;
  signing_keys: SigningKeysTable;
  recording_manifests: RecordingManifestsTable;
  admin_totp: AdminTotpTable;
  admin_recovery_codes: AdminRecoveryCodesTable;
  upload_signing_keys: UploadSigningKeysTable;
  retention_policies: RetentionPoliciesTable;
}

export type Tenant = Selectable<TenantsTable>;
export type AdminUser = Selectable<AdminUsersTable>;
export type User = Selectable<UsersTable>;
export type Workstation = Selectable<WorkstationsTable>;
export type StorageTargetRow = Selectable<StorageTargetsTable>;
export type Job = Selectable<JobsTable>;
export type HostEntry = Selectable<HostsTable>;
export type Call = Selectable<CallsTable>;
export type CallLeg = Selectable<CallLegsTable>;
export type Recording = Selectable<RecordingsTable>;
export type Segment = Selectable<SegmentsTable>;
export type NewJob = Insertable<JobsTable>;

/** An admin's TOTP second factor; `confirmed_at` null while the enrolment waits for its first code. */
export interface AdminTotpTable {
  user_id: string;
  tenant_id: string;
  /** Base32; the project has no key to seal secrets with yet (see docs/admin-guide.md). */
  secret: string;
  created_at: Timestamp;
  confirmed_at: Timestamp | null;
  /** The last time step accepted, so a code works once. */
  last_step: ColumnType<string | number | null, number | null, number | null>;
}

export interface AdminRecoveryCodesTable {
  user_id: string;
  tenant_id: string;
  /** SHA-256 hex of an 80-bit random code. */
  code_hash: string;
  used_at: Timestamp | null;
}

export type RetentionPolicyRow = Selectable<RetentionPoliciesTable>;
