import { type Kysely, sql } from 'kysely';

/** One statement per entry: PGlite's extended protocol runs a single statement per query. */
const up: string[] = [
  `create table tenants (
    id text primary key,
    slug text not null unique,
    name text not null,
    screen_recording_token_hash text not null unique,
    token_hint text not null,
    created_at timestamptz not null default now()
  )`,
  `create table admin_users (
    id text primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    username text not null,
    password_hash text not null,
    role text not null check (role in ('admin', 'supervisor')),
    disabled boolean not null default false,
    created_at timestamptz not null default now(),
    unique (tenant_id, username)
  )`,
  `create index admin_users_username on admin_users (lower(username))`,
  `create table admin_sessions (
    id text primary key,
    user_id text not null references admin_users(id) on delete cascade,
    tenant_id text not null references tenants(id) on delete cascade,
    expires_at timestamptz not null,
    created_at timestamptz not null default now(),
    ip text
  )`,
  `create index admin_sessions_expires on admin_sessions (expires_at)`,
  `create table users (
    id text primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    name text not null,
    screen_recording_login text,
    screen_recording_login_norm text,
    seat_licence boolean not null default false,
    external_id text,
    created_at timestamptz not null default now(),
    unique (tenant_id, screen_recording_login_norm),
    unique (tenant_id, external_id)
  )`,
  `create table user_extensions (
    tenant_id text not null references tenants(id) on delete cascade,
    user_id text not null references users(id) on delete cascade,
    extension text not null,
    primary key (tenant_id, extension)
  )`,
  `create index user_extensions_user on user_extensions (user_id)`,
  `create table workstations (
    tenant_id text not null references tenants(id) on delete cascade,
    id text not null,
    secret_hash text not null,
    state text not null check (state in ('pending', 'authorized', 'forbidden')),
    conflict boolean not null default false,
    conflict_at timestamptz,
    conflict_address text,
    computer_name text not null,
    domain text,
    os jsonb,
    agent_version text,
    monitors jsonb not null default '[]',
    login text,
    remote_address text,
    online boolean not null default false,
    first_seen timestamptz not null default now(),
    last_seen timestamptz not null default now(),
    primary key (tenant_id, id)
  )`,
  `create index workstations_login on workstations (tenant_id, lower(login))`,
  `create table settings (
    tenant_id text primary key references tenants(id) on delete cascade,
    settings jsonb not null,
    updated_at timestamptz not null default now()
  )`,
  `create table storage_targets (
    id text primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    name text not null,
    kind text not null,
    options jsonb not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, name)
  )`,
  `create table calls (
    id text primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    source_id text not null,
    external_call_id text not null,
    direction text not null check (direction in ('inbound', 'outbound', 'internal', 'unknown')),
    from_number text,
    from_name text,
    to_number text,
    to_name text,
    started_at timestamptz not null,
    ended_at timestamptz,
    user_id text references users(id) on delete set null,
    extension text,
    state text not null check (state in ('active', 'ended')),
    no_recording_reason text,
    audio_key text,
    audio_target_id text,
    unique (tenant_id, source_id, external_call_id)
  )`,
  `create index calls_started on calls (tenant_id, started_at desc)`,
  `create table recordings (
    id text primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    workstation_id text not null,
    user_id text references users(id) on delete set null,
    capture_id text not null,
    state text not null check (state in ('recording', 'uploading', 'stored', 'failed', 'none')),
    started_at timestamptz not null,
    ended_at timestamptz,
    end_reason text,
    upload_token_hash text unique,
    unique (tenant_id, capture_id)
  )`,
  `create table call_recordings (
    tenant_id text not null references tenants(id) on delete cascade,
    call_id text not null references calls(id) on delete cascade,
    recording_id text not null references recordings(id) on delete cascade,
    primary key (call_id, recording_id)
  )`,
  `create index call_recordings_recording on call_recordings (recording_id)`,
  `create table segments (
    id text primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    recording_id text not null references recordings(id) on delete cascade,
    monitor_id text not null,
    idx integer not null,
    started_at timestamptz not null,
    duration_ms integer not null,
    bytes bigint not null,
    sha256 text not null,
    state text not null check (state in ('on-agent', 'uploading', 'spooled', 'stored', 'failed')),
    spool_path text,
    storage_target_id text,
    storage_key text,
    stored_at timestamptz,
    error text,
    unique (recording_id, monitor_id, idx)
  )`,
  `create table jobs (
    id bigserial primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    kind text not null,
    payload jsonb not null,
    state text not null default 'queued' check (state in ('queued', 'running', 'done', 'failed')),
    attempts integer not null default 0,
    run_after timestamptz not null default now(),
    last_error text,
    locked_by text,
    locked_until timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index jobs_claim on jobs (run_after) where state in ('queued', 'running')`,
  `create table audit_log (
    id bigserial primary key,
    tenant_id text not null references tenants(id) on delete cascade,
    actor_user_id text,
    action text not null,
    target_type text not null,
    target_id text,
    detail jsonb not null default '{}',
    ip text,
    at timestamptz not null default now()
  )`,
  `create index audit_log_at on audit_log (tenant_id, at desc)`,
];

export async function migrate0001Up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up) await sql.raw(statement).execute(db);
}

export async function migrate0001Down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'audit_log',
    'jobs',
    'segments',
    'call_recordings',
    'recordings',
    'calls',
    'storage_targets',
    'settings',
    'workstations',
    'user_extensions',
    'users',
    'admin_sessions',
    'admin_users',
    'tenants',
  ]) {
    await sql.raw(`drop table if exists ${table}`).execute(db);
  }
}
