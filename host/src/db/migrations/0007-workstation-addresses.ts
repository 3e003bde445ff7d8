import { type Kysely, sql } from 'kysely';

/**
 * What capture backend an agent reported, and every address a workstation connected from (not only the
 * latest), so an admin can tell a moved machine from a copied identity.
 */
export async function migrate0007Up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table workstations add column capture_backend text`.execute(db);
  await sql`create table workstation_addresses (
    tenant_id text not null,
    workstation_id text not null,
    address text not null,
    first_seen timestamptz not null,
    last_seen timestamptz not null,
    connections integer not null default 1,
    primary key (tenant_id, workstation_id, address),
    foreign key (tenant_id, workstation_id) references workstations (tenant_id, id) on delete cascade
  )`.execute(db);
}

export async function migrate0007Down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table workstation_addresses`.execute(db);
  await sql`alter table workstations drop column capture_backend`.execute(db);
}
