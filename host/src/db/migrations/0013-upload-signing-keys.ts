import { type Kysely, sql } from 'kysely';

/**
 * Keys that sign upload tokens, shared by every host of the installation (so any host verifies a token
 * another issued), a mark on calls and recordings an upload re-created after the host lost them, and the
 * host a job must run on (a store job needs the file in that host's spool).
 */
export async function migrate0013Up(db: Kysely<unknown>): Promise<void> {
  await sql`create table upload_signing_keys (
    id text primary key,
    secret text not null,
    created_at timestamptz not null
  )`.execute(db);
  await sql`alter table recordings add column recovered_at timestamptz`.execute(db);
  await sql`alter table calls add column recovered_at timestamptz`.execute(db);
  await sql`alter table jobs add column host_id text`.execute(db);
}

export async function migrate0013Down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table jobs drop column host_id`.execute(db);
  await sql`alter table calls drop column recovered_at`.execute(db);
  await sql`alter table recordings drop column recovered_at`.execute(db);
  await sql`drop table upload_signing_keys`.execute(db);
}
