import type { ComponentMatch } from '../../db/schema/licenses.js';
import { parseIpRange } from '../runtime/allowed-ips.js';
import { Invalid, type FieldError } from '../errors.js';

/** Fields a license is created with; undefined = not given. Wire names are mapped by the faces. */
export interface LicenseInput {
  title?: string;
  /** An ISO date or date-time. */
  expiresAt?: string | null;
  domainId?: string | null;
  maxDomains?: number | null;
  maxSubdomainsPerDomain?: number | null;
  maxUsagePerDay?: number | null;
  /** Comma-separated IPs or CIDR ranges. */
  allowedIps?: string | null;
  /** Comma-separated ISO 3166-1 alpha-2 codes. */
  allowedCountries?: string | null;
  isTestLicense?: boolean;
  maxDevices?: number | null;
  heartbeatInterval?: number | null;
  componentMatch?: ComponentMatch;
}

export interface CheckedLicenseInput {
  title: string;
  expiresAt: Date | null;
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
}

export const COMPONENT_MATCHES: readonly ComponentMatch[] = ['any', 'all', 'majority'];
/** A heartbeat interval is between a minute and 30 days. */
const MIN_HEARTBEAT = 60;
const MAX_HEARTBEAT = 30 * 86_400;

/** An ISO 8601 date or date-time (UTC unless it says otherwise); null for anything else, including days a month lacks (Date() would roll 02-30 into March). */
function parseDate(raw: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(raw);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  // A date-time without a zone is read as UTC, not as the server's local time.
  const d = new Date(m[4] && !m[7] ? `${raw.replace(' ', 'T')}Z` : raw);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "a, b,,c" -> "a,b,c"; null when nothing is left. */
function list(value: string | null | undefined, map: (s: string) => string = (s) => s): string[] | null {
  if (value === null || value === undefined) return null;
  const items = value
    .split(',')
    .map((s) => map(s.trim()))
    .filter(Boolean);
  return items.length ? items : null;
}

/**
 * The license body rules every face shares, with Laravel-style messages (the devpayr face
 * shows them as they are). Throws Invalid listing every problem. Whether `domain_id` belongs
 * to the project is checked by the caller, inside its transaction.
 */
export function checkLicenseInput(input: LicenseInput, now: Date): CheckedLicenseInput {
  const problems: FieldError[] = [];
  const add = (field: string, message: string, type: string) => problems.push({ field, message, type });

  const title = input.title?.trim() ?? '';
  if (!title) add('title', 'The title field is required.', 'missing');
  else if (title.length > 255) add('title', 'The title may not be greater than 255 characters.', 'too_long');

  let expiresAt: Date | null = null;
  if (input.expiresAt !== undefined && input.expiresAt !== null) {
    const d = parseDate(input.expiresAt.trim());
    if (!d) add('expires_at', 'The expires at is not a valid date.', 'date');
    else if (d.getTime() <= now.getTime()) add('expires_at', 'The expires at must be a date after now.', 'after');
    else expiresAt = d;
  }

  const limits: Array<[string, number | null | undefined]> = [
    ['max_domains', input.maxDomains],
    ['max_subdomains_per_domain', input.maxSubdomainsPerDomain],
    ['max_usage_per_day', input.maxUsagePerDay],
    ['max_devices', input.maxDevices],
  ];
  for (const [field, value] of limits) {
    if (value === null || value === undefined) continue;
    if (!Number.isInteger(value)) add(field, `The ${field.replace(/_/g, ' ')} must be an integer.`, 'integer');
    else if (value < 0) add(field, `The ${field.replace(/_/g, ' ')} must be at least 0.`, 'min');
    else if (value > 2_147_483_647)
      add(field, `The ${field.replace(/_/g, ' ')} may not be greater than 2147483647.`, 'max');
  }

  const hb = input.heartbeatInterval;
  if (hb !== null && hb !== undefined && (!Number.isInteger(hb) || hb < MIN_HEARTBEAT || hb > MAX_HEARTBEAT)) {
    add(
      'heartbeat_interval',
      `The heartbeat interval must be an integer between ${MIN_HEARTBEAT} and ${MAX_HEARTBEAT}.`,
      'between',
    );
  }
  if (input.componentMatch !== undefined && !COMPONENT_MATCHES.includes(input.componentMatch)) {
    add('component_match', 'The selected component match is invalid.', 'in');
  }

  const ips = list(input.allowedIps, (s) => s.toLowerCase());
  if (ips && !ips.every((ip) => parseIpRange(ip) !== null))
    add('allowed_ips', 'The allowed ips must be a comma-separated list of IP addresses or CIDR ranges.', 'ip');
  const countries = list(input.allowedCountries, (s) => s.toUpperCase());
  if (countries && !countries.every((c) => /^[A-Z]{2}$/.test(c))) {
    add(
      'allowed_countries',
      'The allowed countries must be a comma-separated list of two-letter country codes.',
      'country',
    );
  }
  if ((ips?.join(',').length ?? 0) > 10_000)
    add('allowed_ips', 'The allowed ips may not be greater than 10000 characters.', 'too_long');
  if ((countries?.join(',').length ?? 0) > 2_000)
    add('allowed_countries', 'The allowed countries may not be greater than 2000 characters.', 'too_long');

  if (problems.length) throw Invalid(problems);
  return {
    title,
    expiresAt,
    domainId: input.domainId ?? null,
    maxDomains: input.maxDomains ?? null,
    maxSubdomainsPerDomain: input.maxSubdomainsPerDomain ?? null,
    maxUsagePerDay: input.maxUsagePerDay ?? null,
    allowedIps: ips ? ips.join(',') : null,
    allowedCountries: countries ? [...new Set(countries)].join(',') : null,
    isTestLicense: input.isTestLicense ?? false,
    maxDevices: input.maxDevices ?? null,
    heartbeatInterval: input.heartbeatInterval ?? null,
    componentMatch: input.componentMatch ?? 'any',
  };
}

/** The license columns a checked body sets, for a create's insert and an update's set. */
export function licenseColumns(checked: CheckedLicenseInput) {
  return {
    title: checked.title,
    expires_at: checked.expiresAt,
    domain_id: checked.domainId,
    max_domains: checked.maxDomains,
    max_subdomains_per_domain: checked.maxSubdomainsPerDomain,
    max_usage_per_day: checked.maxUsagePerDay,
    allowed_ips: checked.allowedIps,
    allowed_countries: checked.allowedCountries,
    is_test_license: checked.isTestLicense,
    max_devices: checked.maxDevices,
    heartbeat_interval: checked.heartbeatInterval,
    component_match: checked.componentMatch,
  };
}
