import type { NullableTimestamp, Timestamp } from './types.js';

/** A console sign-in (migration 008): found by the SHA-256 of the cookie's token. */
export interface ConsoleSessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  kind: 'developer' | 'operator';
  /** Sealed with ctx.keys.seal; null for operators (they sign in with an operator key). */
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  user_agent: string | null;
  ip: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
}

/** Instance-wide switches an operator sets in the console, e.g. `developer_sign_up` = 'open'. */
export interface InstanceSettingsTable {
  name: string;
  value: string;
  updated_at: Timestamp;
}
