import { type Kysely, sql } from 'kysely';

/**
 * Which single sign-on identity (issuer + subject) belongs to which admin user, so a user is found again by
 * the provider's stable id, not by a name or email that can change hands.
 */
export async function migrate0010Up(db: Kysely<unknown>): Promise<void> {
  await sql`create table admin_identities (
    tenant_id text not null references tenants(id) on delete cascade,
    issuer text not null,
    subject text not null,
    user_id text not null references admin_users(id) on delete cascade,
    created_at timestamptz not null,
    last_sign_in timestamptz not null,
    primary key (tenant_id, issuer, subject)
  )`.execute(db);
  await sql`create index admin_identities_user on admin_identities (user_id)`.execute(db);
}

export async function migrate0010Down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table admin_identities`.execute(db);
}
