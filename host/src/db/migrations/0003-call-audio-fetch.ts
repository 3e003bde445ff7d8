import { type Kysely, sql } from 'kysely';

/** What the host got when it fetched a call's audio (status and size, or why it refused), for the call page. */
export async function migrate0003Up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table calls add column audio_fetch text`.execute(db);
}

export async function migrate0003Down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table calls drop column audio_fetch`.execute(db);
}
