import { type Kysely, sql } from 'kysely';

/**
 * Admin sessions an admin can list and revoke (when last used, from which browser), sign-ins waiting for
 * the second factor, and the admins' TOTP second factor with its one-time recovery codes.
 */
export async function migrate0009Up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table admin_sessions add column last_used_at timestamptz`.execute(db);
  await sql`alter table admin_sessions add column user_agent text`.execute(db);
  await sql`alter table admin_sessions add column second_factor_pending boolean not null default false`.execute(
    db,
  );
  await sql`create index admin_sessions_user on admin_sessions (tenant_id, user_id)`.execute(db);
  await sql`create table admin_totp (
    user_id text primary key references admin_users(id) on delete cascade,
    tenant_id text not null references tenants(id) on delete cascade,
    secret text not null,
    created_at timestamptz not null,
    confirmed_at timestamptz,
    last_step bigint
  )`.execute(db);
  await sql`create table admin_recovery_codes (
    user_id text not null references admin_users(id) on delete cascade,
    tenant_id text not null references tenants(id) on delete cascade,
    code_hash text not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
  )`.execute(db);
}

export async function migrate0009Down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table admin_recovery_codes`.execute(db);
  await sql`drop table admin_totp`.execute(db);
  await sql`drop index admin_sessions_user`.execute(db);
  await sql`alter table admin_sessions drop column second_factor_pending`.execute(db);
  await sql`alter table admin_sessions drop column user_agent`.execute(db);
  await sql`alter table admin_sessions drop column last_used_at`.execute(db);
}
