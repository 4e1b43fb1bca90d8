import type { ColumnType } from 'kysely';
import type { Bool, NullableTimestamp, Timestamp } from './types.js';

export type KeyKind = 'operator' | 'developer' | 'project';

/**
 * Every credential key: operator keys, developer keys (global API keys on the devpayr face)
 * and project API keys (project-scoped keys). Only the SHA-256 of the key is stored.
 */
export interface ApiKeysTable {
  id: string;
  kind: KeyKind;
  user_id: string;
  project_id: string | null;
  name: string | null;
  key_hash: string;
  key_prefix: string;
  /** After a reroll, the old key's hash, accepted until previous_key_expires_at (022-key-reroll). */
  previous_key_hash: ColumnType<string | null, string | null | undefined, string | null>;
  previous_key_expires_at: NullableTimestamp;
  is_active: Bool;
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  created_at: Timestamp;
  revoked_at: NullableTimestamp;
}
