import type { NullableTimestamp, Timestamp } from './types.js';

export type DeviceStatus = 'active' | 'deactivated' | 'released';

/**
 * The devices a license was activated on (issue 20, devices and seats). A row is never
 * reused: deactivating or releasing a device ends it, and activating the fingerprint again
 * makes a new row; one `active` row per (license, fingerprint) is a partial unique index.
 */
export interface LicenseDevicesTable {
  id: string;
  license_id: string;
  project_id: string;
  fingerprint: string;
  name: string | null;
  platform: string | null;
  /** JSON array of {name, fingerprint}, or null when the activation named none. */
  components: string | null;
  status: DeviceStatus;
  activated_at: Timestamp;
  last_heartbeat_at: Timestamp;
  /** When it was deactivated or released. */
  ended_at: NullableTimestamp;
  /** When the release sweep frees it, silent since: two heartbeat intervals after the last heartbeat (null: no interval). */
  release_at: NullableTimestamp;
}

/** One row per activation or deactivation, counted over 24 hours (DEVICE_CHANGES_PER_DAY). */
export interface LicenseDeviceChangesTable {
  id: string;
  license_id: string;
  created_at: Timestamp;
}
