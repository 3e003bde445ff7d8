import { type Kysely, sql } from 'kysely';

/**
 * When a source last confirmed that an agent is still on a call (an event for it, or a reconcile that kept
 * it), so a call no source confirms is ended; and why a call ended when the host ended it.
 */
export async function migrate0004Up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table call_legs add column confirmed_at timestamptz`.execute(db);
  await sql`alter table calls add column end_reason text`.execute(db);
}

export async function migrate0004Down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table call_legs drop column confirmed_at`.execute(db);
  await sql`alter table calls drop column end_reason`.execute(db);
}
