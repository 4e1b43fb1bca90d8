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
  /** Since when the endpoint has failed without one success (null while it works). */
  webhook_failing_since: NullableTimestamp;
  /** Set when it failed too long; setting the URL again clears it. */
  webhook_disabled_at: NullableTimestamp;
  is_active: Bool;
  has_paid: Bool;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
}
