import { deviceRule } from './device-rule.js';
import type { LicenseSnapshot, RuntimeDomain } from './snapshot.js';

/**
 * The rules of the paid-install check as one pure function: (license snapshot, request,
 * now) -> decision. No I/O, no mutation, no clock of its own; the same arguments give the
 * same answer. Where a rule needs something only the database can say (whether a new
 * identifier still fits the license's domain limits; how many checks the license had today),
 * it answers with a Need, and the caller (check-license.ts) asks the database, adds the
 * answer to the request and asks the rules again.
 *
 * To add an outcome: a code in RefusalOutcome, a rule in RULES where the spec orders it, and
 * the face's status for it (the faces' maps are exhaustive Records, so the compiler asks).
 */

/** What a check concluded, as the core's own codes (DESIGN convention 4); each face maps them to its statuses. */
export type RefusalOutcome =
  | 'LICENSE_REQUIRED'
  | 'INVALID_LICENSE'
  | 'TOO_MANY_UNKNOWN_KEYS'
  | 'REVOKED'
  | 'EXPIRED'
  | 'PROJECT_MISMATCH'
  | 'PROJECT_INACTIVE'
  | 'DOMAIN_REQUIRED'
  | 'BAD_DOMAIN'
  | 'DOMAIN_MISMATCH'
  | 'DOMAIN_INACTIVE'
  | 'TEST_LICENSE_DOMAIN'
  | 'ENVIRONMENT_MISMATCH'
  | 'DOMAIN_LIMIT'
  | 'SUBDOMAIN_LIMIT'
  | 'IP_NOT_ALLOWED'
  | 'COUNTRY_UNVERIFIABLE'
  | 'DEVICE_NOT_ACTIVATED'
  | 'BAD_DEVICE_COMPONENTS'
  | 'DEVICE_MISMATCH'
  | 'USAGE_LIMIT';
/** VALID and NOT_PAID pass (the license may run here; its project has or has not been paid for); the rest refuse. */
export type CheckOutcome = 'VALID' | 'NOT_PAID' | RefusalOutcome;

export type Refusal = {
  readonly valid: false;
  readonly outcome: RefusalOutcome;
  readonly message: string;
  readonly retryAfterSeconds?: number;
};
export interface Pass {
  readonly valid: true;
  readonly outcome: 'VALID' | 'NOT_PAID';
  readonly hasPaid: boolean;
  readonly projectId: string;
  /** The project's registered domain the check matched, if any. */
  readonly domain: RuntimeDomain | null;
  /** The canonical identifier the install sent, if any. */
  readonly identifier: string | null;
}
export type Verdict = Pass | Refusal;
/** What the rules need from the database before they can decide. */
export type Need = { readonly need: 'registration'; readonly identifier: Identifier } | { readonly need: 'usage' };
export type Decision = Verdict | Need;

export interface Identifier {
  /** The canonical identifier (domains/normalize.ts). */
  host: string;
  /** Its registrable base, for the domain limits. */
  base: string;
}

export type Registration = { ok: true } | { ok: false; code: 'domain_limit' | 'subdomain_limit'; message: string };

/** What the rules read of a check: the request, parsed, and what the database said when they asked. */
export interface CheckRequest {
  /** The license key, trimmed; null when none was sent. */
  licenseKey: string | null;
  /** X-Devpayr-Domain as sent (the statistics keep it for refusals); null when absent. */
  domain: string | null;
  /** X-Devpayr-Domain parsed: null when absent or blank, 'malformed' when it names no host. */
  identifier: Identifier | null | 'malformed';
  ip: string;
  /** `action`; `check_project` (the default) answers with the project's flag. */
  action: string | null;
  /** A project the client says it belongs to. */
  projectId: string | null;
  /** Seconds this address is barred for sending unknown keys; 0 when it is not. */
  barredFor: number;
  /** X-Device-Fingerprint, trimmed; read only for licenses with max_devices (device-rule.ts). */
  device?: string | null;
  /** X-Device-Components as sent. */
  deviceComponents?: string | null;
  /** The answer to a registration Need. */
  registration?: Registration;
  /** The answer to a usage Need: today's checks of the license, this one included. */
  usedToday?: number;
}

const refuse = (outcome: RefusalOutcome, message: string, retryAfterSeconds?: number): Refusal =>
  retryAfterSeconds === undefined
    ? { valid: false, outcome, message }
    : { valid: false, outcome, message, retryAfterSeconds };

export function expired(snap: LicenseSnapshot, now: Date): boolean {
  return snap.license.expiresAt !== null && snap.license.expiresAt.getTime() <= now.getTime();
}

/** A rerolled license's old key, past its overlap: refused like a key no license has. */
export function retired(snap: LicenseSnapshot, now: Date): boolean {
  return snap.license.keyRetiresAt !== null && snap.license.keyRetiresAt.getTime() <= now.getTime();
}

const isTestHost = (host: string) => host === 'localhost' || host === '127.0.0.1' || host.endsWith('.test');
const MISMATCH = 'This license is not authorized for the current domain.';

type Rule = (snap: LicenseSnapshot, req: CheckRequest, now: Date) => Decision | undefined;

/** The identifier, once the rules before the domain's have let a malformed one through as none. */
const identifierOf = (req: CheckRequest): Identifier | null => (req.identifier === 'malformed' ? null : req.identifier);

/** The project's registered domain a check from `identifier` matches: the pinned one, else one with its host. */
function matchedDomain(snap: LicenseSnapshot, identifier: Identifier | null): RuntimeDomain | null {
  if (identifier === null) return null;
  const { license, domains } = snap;
  if (!license.isTest && license.domainId !== null) return domains.find((d) => d.id === license.domainId) ?? null;
  return domains.find((d) => d.host === identifier.host) ?? null;
}

/** The domain rules, in the order of the spec. */
const domainRule: Rule = (snap, req) => {
  const { license, domains } = snap;
  const identifier = identifierOf(req);
  const limited = license.maxDomains !== null || license.maxSubdomainsPerDomain !== null;
  if (identifier === null) {
    const needsDomain = license.isTest || license.domainId !== null || domains.length > 0 || limited;
    return needsDomain
      ? refuse('DOMAIN_REQUIRED', 'This license needs the X-Devpayr-Domain header: the host name the software runs on.')
      : undefined;
  }
  if (license.isTest) {
    // A test license is for development machines only, whatever domains the project has.
    return isTestHost(identifier.host)
      ? undefined
      : refuse('TEST_LICENSE_DOMAIN', 'A test license works only on localhost, 127.0.0.1 and *.test domains.');
  }
  const domain = matchedDomain(snap, identifier);
  if (license.domainId !== null || domains.length > 0) {
    if (domain === null || domain.host !== identifier.host) return refuse('DOMAIN_MISMATCH', MISMATCH);
    if (!domain.isActive) return refuse('DOMAIN_INACTIVE', 'This domain is not active for the project.');
    if (domain.environment !== 'production') {
      return refuse('ENVIRONMENT_MISMATCH', `A production license cannot be used on a ${domain.environment} domain.`);
    }
    return undefined;
  }
  // A license that registers its own identifiers, within its limits.
  if (!limited || snap.identifiers?.has(identifier.host)) return undefined;
  const r = req.registration;
  if (r === undefined) return { need: 'registration', identifier };
  return r.ok ? undefined : refuse(r.code === 'domain_limit' ? 'DOMAIN_LIMIT' : 'SUBDOMAIN_LIMIT', r.message);
};

/** The license's rules in the order of the spec; the first that decides, decides. */
const RULES: readonly Rule[] = [
  (snap) => (snap.license.status === 'revoked' ? refuse('REVOKED', 'This license has been revoked.') : undefined),
  (snap, _req, now) => (expired(snap, now) ? refuse('EXPIRED', 'This license has expired.') : undefined),
  (snap, req) =>
    req.projectId !== null && req.projectId !== snap.project.id
      ? refuse('PROJECT_MISMATCH', 'This license does not belong to the given project.')
      : undefined,
  (snap) =>
    snap.project.isActive ? undefined : refuse('PROJECT_INACTIVE', 'The project of this license is not active.'),
  (_snap, req) =>
    req.identifier === 'malformed'
      ? refuse(
          'BAD_DOMAIN',
          'The X-Devpayr-Domain header must be a host name, an IP address or an install fingerprint.',
        )
      : undefined,
  domainRule,
  (snap, req) =>
    snap.license.allowedIps && !snap.license.allowedIps.allows(req.ip)
      ? refuse('IP_NOT_ALLOWED', 'This license is not authorized for this IP address.')
      : undefined,
  // No geolocation database ships with the server: failing closed keeps a vendor's
  // restriction meaningful instead of silently ignoring it.
  (snap) =>
    snap.license.allowedCountries
      ? refuse(
          'COUNTRY_UNVERIFIABLE',
          `This license is restricted to ${snap.license.allowedCountries.join(', ')}, which this server cannot verify.`,
        )
      : undefined,
  // Before the daily limit, so a check from a device without a seat is not counted.
  deviceRule,
  (snap, req, now) => {
    const limit = snap.license.maxUsagePerDay;
    if (limit === null) return undefined;
    if (req.usedToday === undefined) return { need: 'usage' };
    if (req.usedToday <= limit) return undefined;
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    return refuse(
      'USAGE_LIMIT',
      `This license has reached its limit of ${limit} checks per day.`,
      Math.max(1, Math.ceil((midnight - now.getTime()) / 1000)),
    );
  },
];

/** The check: `snap` is the license the key names (null: none does). */
export function decide(snap: LicenseSnapshot | null, req: CheckRequest, now: Date): Decision {
  if (req.licenseKey === null)
    return refuse('LICENSE_REQUIRED', 'Missing license key: send it in the X-LICENSE-KEY header.');
  if (req.barredFor > 0)
    return refuse(
      'TOO_MANY_UNKNOWN_KEYS',
      'Too many unknown license keys from this address. Try again later.',
      req.barredFor,
    );
  if (snap === null || retired(snap, now)) return refuse('INVALID_LICENSE', 'Invalid license key.');
  for (const rule of RULES) {
    const decided = rule(snap, req, now);
    if (decided !== undefined) return decided;
  }
  const identifier = identifierOf(req);
  const domain = matchedDomain(snap, identifier);
  const byProject = (req.action ?? 'check_project') === 'check_project' || domain === null;
  const hasPaid = byProject ? snap.project.hasPaid : domain.hasPaid;
  return {
    valid: true,
    outcome: hasPaid ? 'VALID' : 'NOT_PAID',
    hasPaid,
    projectId: snap.project.id,
    domain,
    identifier: identifier?.host ?? null,
  };
}
