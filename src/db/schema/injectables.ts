import type { Bool, NullableTimestamp, Timestamp } from './types.js';

export interface InjectablesTable {
  id: string;
  project_id: string;
  title: string | null;
  slug: string;
  type: string;
  mode: string;
  target_path: string | null;
  /** sealSecret() of the plaintext content. */
  content_enc: string;
  /** SHA-256 hex of the plaintext content. */
  content_hash: string;
  /** sealSecret() of the injectable's own secret (the delivery key). */
  secret_enc: string;
  only_if_paid: Bool;
  is_active: Bool;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
}
