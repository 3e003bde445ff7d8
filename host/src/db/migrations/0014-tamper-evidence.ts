import { type Kysely, sql } from 'kysely';

/**
 * Tamper evidence: the host's Ed25519 signing keys (retired ones keep their public half, so manifests
 * signed before a rotation still verify) and each stored recording's signed manifest.
 */
export async function migrate0014Up(db: Kysely<unknown>): Promise<void> {
  await sql`create table signing_keys (
    id text primary key,
    public_key text not null,
    private_key text,
    created_at timestamptz not null,
    retired_at timestamptz
  )`.execute(db);
  await sql`create table recording_manifests (
    tenant_id text not null references tenants(id) on delete cascade,
    recording_id text not null references recordings(id) on delete cascade,
    key_id text not null references signing_keys(id),
    body text not null,
    signature text not null,
    storage_target_id text,
    storage_key text not null,
    sealed_at timestamptz not null,
    primary key (tenant_id, recording_id)
  )`.execute(db);
}

export async function migrate0014Down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table recording_manifests`.execute(db);
  await sql`drop table signing_keys`.execute(db);
}
