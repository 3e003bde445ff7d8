import { type Kysely, sql } from 'kysely';

/** When the recording's upload token was last used after its capture ended: it expires that long after. */
export async function migrate0005Up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table recordings add column upload_renewed_at timestamptz`.execute(db);
}

export async function migrate0005Down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table recordings drop column upload_renewed_at`.execute(db);
}
