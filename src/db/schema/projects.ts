import type { Bool, NullableTimestamp, Timestamp } from './types.js';

export interface ProjectsTable {
  id: string;
  owner_id: string;
  name: string;
  slug: string;
  description: string | null;
  default_redirect_url: string | null;
  webhook_url: string | null;
  logo_url: string | null;
  /** sealSecret() output; never leaves the server. */
  webhook_secret_enc: string | null;
  /** JSON object text. */
  meta: string | null;
  is_active: Bool;
  has_paid: Bool;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
}
