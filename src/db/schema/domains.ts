import type { Bool, NullableTimestamp, Timestamp } from './types.js';

export type Environment = 'production' | 'staging' | 'development';

export interface DomainsTable {
  id: string;
  project_id: string;
  /** Normalised: lower-case host, optional :port, no scheme or path. */
  domain: string;
  environment: Environment;
  is_primary: Bool;
  is_verified: Bool;
  is_active: Bool;
  has_paid: Bool;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
}
