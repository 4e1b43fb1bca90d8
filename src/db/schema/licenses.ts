import type { ColumnType } from 'kysely';
export type ComponentMatch = 'any' | 'all' | 'majority';

import type { Bool, NullableTimestamp, Timestamp } from './types.js';

export interface LicensesTable {
  id: string;
  project_id: string;
  title: string;
  key_hash: string;
  key_prefix: string;
  /** After a reroll, the old key's hash, accepted until previous_key_expires_at (022-key-reroll). */
  previous_key_hash: ColumnType<string | null, string | null | undefined, string | null>;
  previous_key_expires_at: NullableTimestamp;
  /** 'active' | 'revoked'; "expired" is derived from expires_at at read time. */
  status: 'active' | 'revoked';
  expires_at: NullableTimestamp;
  domain_id: string | null;
  max_domains: number | null;
  max_subdomains_per_domain: number | null;
  max_usage_per_day: number | null;
  allowed_ips: string | null;
  allowed_countries: string | null;
  is_test_license: Bool;
  /** Devices that may be active at once (null: unlimited, and no device is needed). */
  max_devices: ColumnType<number | null, number | null | undefined, number | null>;
  /** Seconds between a device's heartbeats; a device silent for two is released (null: never). */
  heartbeat_interval: ColumnType<number | null, number | null | undefined, number | null>;
  /** How a check's X-Device-Components must match the activation's components. */
  component_match: ColumnType<ComponentMatch, ComponentMatch | undefined, ComponentMatch>;
  revoked_at: NullableTimestamp;
  /** When the license.expired event was recorded (null: not yet, or no expiry). */
  expiry_event_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: NullableTimestamp;
}

/** Each distinct runtime identifier a license was used from. */
export interface LicenseIdentifiersTable {
  id: string;
  license_id: string;
  identifier: string;
  base_domain: string;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  use_count: number;
}

/** Checks per license per UTC day, for max_usage_per_day. */
export interface LicenseUsageDaysTable {
  license_id: string;
  day: string;
  count: number;
}
