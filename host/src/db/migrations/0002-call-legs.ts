import { type Kysely, sql } from 'kysely';

/**
 * One row per agent on a call: a transfer gives a call two legs, an overlap gives an agent two calls.
 * The orchestrator decides per leg whether and how its agent's screen is recorded.
 */
export async function migrate0002Up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table call_legs (
      id text primary key,
      tenant_id text not null references tenants(id) on delete cascade,
      call_id text not null references calls(id) on delete cascade,
      agent_by text not null,
      agent_value text not null,
      user_id text,
      started_at timestamptz,
      ended_at timestamptz,
      recording_id text,
      no_recording_reason text,
      unique (tenant_id, call_id, agent_by, agent_value)
    )`.execute(db);
  await sql`create index call_legs_waiting on call_legs (tenant_id, user_id) where ended_at is null and recording_id is null`.execute(
    db,
  );
  await sql`create index call_legs_recording on call_legs (tenant_id, recording_id)`.execute(db);
}

export async function migrate0002Down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table call_legs`.execute(db);
}
