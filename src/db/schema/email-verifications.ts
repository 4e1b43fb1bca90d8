import type { NullableTimestamp, Timestamp } from './types.js';

export interface EmailVerificationsTable {
  id: string;
  user_id: string;
  token_hash: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  created_at: Timestamp;
}
