import { type Kysely, sql } from 'kysely';

/** Every host process sharing this database, with the last time it said it was alive. */
export async function migrate0006Up(db: Kysely<unknown>): Promise<void> {
  await sql`create table hosts (
    id text primary key,
    name text not null,
    started_at timestamptz not null,
    heartbeat_at timestamptz not null
  )`.execute(db);
}

export async function migrate0006Down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table hosts`.execute(db);
}
