import { type Kysely, sql } from 'kysely';

/**
 * Service-provider tenancy: a tenant can be suspended or archived, and the provider admin role manages
 * tenants. The first admin of the default tenant (the one the first start created) becomes provider admin.
 */
export async function migrate0008Up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants add column state text not null default 'active'
    check (state in ('active', 'suspended', 'deleting', 'archived'))`.execute(db);
  await sql`alter table tenants add column state_changed_at timestamptz`.execute(db);
  await sql`alter table admin_users drop constraint admin_users_role_check`.execute(db);
  await sql`alter table admin_users add constraint admin_users_role_check
    check (role in ('admin', 'supervisor', 'provider-admin'))`.execute(db);
  await sql`update admin_users set role = 'provider-admin'
    where id = (
      select u.id from admin_users u join tenants t on t.id = u.tenant_id
      where t.slug = 'default' and u.role = 'admin'
      order by u.created_at, u.id limit 1
    )`.execute(db);
}

export async function migrate0008Down(db: Kysely<unknown>): Promise<void> {
  await sql`update admin_users set role = 'admin' where role = 'provider-admin'`.execute(db);
  await sql`alter table admin_users drop constraint admin_users_role_check`.execute(db);
  await sql`alter table admin_users add constraint admin_users_role_check
    check (role in ('admin', 'supervisor'))`.execute(db);
  await sql`alter table tenants drop column state_changed_at`.execute(db);
  await sql`alter table tenants drop column state`.execute(db);
}
