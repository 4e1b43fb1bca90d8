import type { NullableTimestamp, Timestamp } from './types.js';

/** One row per issued refresh token; a family is one login's chain of rotations. */
export interface RefreshTokensTable {
  id: string;
  user_id: string;
  family_id: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}
