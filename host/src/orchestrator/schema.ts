import type { ColumnType } from 'kysely';
import type { Database } from '../db/schema.js';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface CallLegsTable {
  id: string;
  tenant_id: string;
  call_id: string;
  agent_by: 'extension' | 'user-id' | 'login';
  agent_value: string;
  user_id: string | null;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  recording_id: string | null;
  no_recording_reason: string | null;
}

export type OrchestratorDatabase = Database & { call_legs: CallLegsTable };
