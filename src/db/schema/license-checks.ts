import type { Timestamp } from './types.js';

/** One row per runtime check, written off the request path in batches. */
export interface LicenseChecksTable {
  id: string;
  project_id: string | null;
  license_id: string | null;
  identifier: string | null;
  outcome: string;
  created_at: Timestamp;
}
