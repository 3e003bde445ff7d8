import { type Kysely, sql } from 'kysely';

/**
 * Retention policies (delete or move recordings after N days, for all users or a list of users), legal
 * hold on calls, and what a running retention job needs to survive a restart: the recording's queued mark
 * and a moved segment's old location until its old object is deleted.
 */
export async function migrate0015Up(db: Kysely<unknown>): Promise<void> {
  await sql`create table retention_policies (
    id text not null,
    tenant_id text not null references tenants (id) on delete cascade,
    name text not null,
    action text not null check (action in ('delete', 'move')),
    after_days integer not null check (after_days >= 1),
    target_id text,
    user_ids jsonb not null default '[]',
    created_at timestamptz not null,
    updated_at timestamptz not null,
    primary key (tenant_id, id),
    unique (tenant_id, name)
  )`.execute(db);
  await sql`alter table calls add column legal_hold boolean not null default false`.execute(db);
  await sql`alter table calls add column legal_hold_reason text`.execute(db);
  await sql`alter table calls add column legal_hold_at timestamptz`.execute(db);
  await sql`alter table recordings add column retention_queued_at timestamptz`.execute(db);
  await sql`alter table recordings add column purged_at timestamptz`.execute(db);
  await sql`alter table segments add column moved_from_target_id text`.execute(db);
  await sql`alter table segments add column moved_from_key text`.execute(db);
}

export async function migrate0015Down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table segments drop column moved_from_key`.execute(db);
  await sql`alter table segments drop column moved_from_target_id`.execute(db);
  await sql`alter table recordings drop column purged_at`.execute(db);
  await sql`alter table recordings drop column retention_queued_at`.execute(db);
  await sql`alter table calls drop column legal_hold_at`.execute(db);
  await sql`alter table calls drop column legal_hold_reason`.execute(db);
  await sql`alter table calls drop column legal_hold`.execute(db);
  await sql`drop table retention_policies`.execute(db);
}
