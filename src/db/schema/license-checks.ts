import type { Timestamp } from './types.js';

/**
 * Runtime checks counted per minute and (project, license, identifier, outcome). Rows are
 * appended by each flush of a process's counters; a total is the sum over matching rows.
 */
export interface LicenseCheckCountsTable {
  /** The start of the minute (UTC). */
  minute: Timestamp;
  project_id: string | null;
  license_id: string | null;
  identifier: string | null;
  outcome: string;
  count: number;
}
