import type { ColumnType } from 'kysely';
import type { Bool, NullableTimestamp, Timestamp } from './types.js';

export type Role = 'platform_operator' | 'developer' | 'end_user';
export type Tier = 'free_starter' | 'cloud_starter' | 'cloud_premium';

/**
 * Every account. Email is unique per scope: 'global' for operators and developers,
 * the project id for end users (the same person may be an end user of many projects).
 */
export interface UsersTable {
  id: string;
  email: string;
  email_scope: string;
  email_lower: string;
  password_hash: string | null;
  full_name: string | null;
  role: Role;
  project_id: string | null;
  tier: Tier;
  is_active: Bool;
  email_verified_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
  /** Moved by a password change; access tokens of an older generation are refused (migration 015). */
  sign_in_generation: ColumnType<number, number | undefined, number>;
}
