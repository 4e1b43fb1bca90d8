import type { Selectable } from 'kysely';
import type { LicensesTable } from '../../db/schema/licenses.js';
import type { ComponentMatch } from '../../db/schema/licenses.js';
import { toIso } from '../../lib/time.js';

export type LicenseStatus = 'active' | 'revoked' | 'expired';

/** A license as the core hands it to the faces; the key hash is not part of it. */
export interface License {
  id: string;
  projectId: string;
  title: string;
  /** The first characters of the key and an ellipsis: enough to tell keys apart, not to use one. */
  maskedKey: string;
  status: LicenseStatus;
  expiresAt: string | null;
  domainId: string | null;
  maxDomains: number | null;
  maxSubdomainsPerDomain: number | null;
  maxUsagePerDay: number | null;
  allowedIps: string | null;
  allowedCountries: string | null;
  isTestLicense: boolean;
  maxDevices: number | null;
  heartbeatInterval: number | null;
  componentMatch: ComponentMatch;
  revokedAt: string | null;
  createdAt: string;
  updatedAt: string | null;
}

/** "expired" is derived at read time, so a license expires without any job running. Revoked wins. */
export function licenseStatus(row: Pick<Selectable<LicensesTable>, 'status' | 'expires_at'>, now: Date): LicenseStatus {
  if (row.status === 'revoked') return 'revoked';
  if (row.expires_at !== null && new Date(row.expires_at).getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function toLicense(row: Selectable<LicensesTable>, now: Date): License {
  return {
    id: row.id,
    projectId: row.project_id,
    title: row.title,
    maskedKey: `${row.key_prefix}…`,
    status: licenseStatus(row, now),
    expiresAt: toIso(row.expires_at),
    domainId: row.domain_id,
    maxDomains: row.max_domains === null ? null : Number(row.max_domains),
    maxSubdomainsPerDomain: row.max_subdomains_per_domain === null ? null : Number(row.max_subdomains_per_domain),
    maxUsagePerDay: row.max_usage_per_day === null ? null : Number(row.max_usage_per_day),
    allowedIps: row.allowed_ips,
    allowedCountries: row.allowed_countries,
    isTestLicense: Boolean(row.is_test_license),
    maxDevices: row.max_devices === null ? null : Number(row.max_devices),
    heartbeatInterval: row.heartbeat_interval === null ? null : Number(row.heartbeat_interval),
    componentMatch: row.component_match,
    revokedAt: toIso(row.revoked_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
  };
}

/** Characters of the key kept for display. */
export const LICENSE_KEY_PREFIX_LENGTH = 8;
