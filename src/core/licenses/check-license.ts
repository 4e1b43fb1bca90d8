import { isIP } from 'node:net';
import { sql } from 'kysely';
import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { baseDomainOf, normalizeIdentifier } from '../domains/normalize.js';
import { hashKey } from '../keys/secret-key.js';
import { checkRecorder } from '../usage/check-recorder.js';
import { registerIdentifier } from './runtime-identifiers.js';
import { announceExpiredLicenses } from './license-expiry.js';
import { licenseSnapshot, type LicenseSnapshot, type RuntimeDomain } from './runtime-snapshot.js';

export type RefusalCode =
  | 'license_required'
  | 'invalid_license'
  | 'revoked'
  | 'expired'
  | 'project_mismatch'
  | 'project_inactive'
  | 'domain_required'
  | 'bad_domain'
  | 'domain_mismatch'
  | 'domain_inactive'
  | 'test_license_domain'
  | 'environment_mismatch'
  | 'domain_limit'
  | 'subdomain_limit'
  | 'ip_not_allowed'
  | 'country_unverifiable'
  | 'usage_limit';

/** Expected outcomes are values (DESIGN convention 4); the face turns a refusal into its 4xx. */
export type Refusal = { valid: false; code: RefusalCode; status: 400 | 401 | 403 | 429; message: string; retryAfterSeconds?: number };
export type RuntimeCheck =
  | { valid: true; code: 'VALID'; hasPaid: boolean; snapshot: LicenseSnapshot; domain: RuntimeDomain | null; identifier: string | null }
  | Refusal;

export interface RuntimeCheckInput {
  licenseKey: string | null;
  /** The raw X-Devpayr-Domain value, or null when the client sent none. */
  domain: string | null;
  ip: string;
  /** `action` query parameter; `check_project` (the default) answers with the project's flag. */
  action: string | null;
  /** A project the client says it belongs to (the browser client sends `projectId`). */
  projectId: string | null;
}

const MISMATCH = 'This license is not authorized for the current domain.';

const refuse = (code: RefusalCode, status: 400 | 401 | 403 | 429, message: string): Refusal => ({ valid: false, code, status, message });

function isTestHost(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host.endsWith('.test');
}

function plainIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

interface Identifier {
  /** The canonical identifier (normalize.ts). */
  host: string;
  /** Its registrable base, for the domain limits. */
  base: string;
}

const IDENTIFIER_MEMO_SIZE = 10_000;
const identifierMemo = new Map<string, Identifier | null>();

/**
 * The canonical identifier and base of a raw X-Devpayr-Domain value. An install sends the
 * same value on every check, and parsing it (IDNA, IP forms) cost more than the rest of a
 * cached check, so recent answers are remembered; long values are not, to bound the memory.
 */
function identifierOf(raw: string): Identifier | null {
  const hit = identifierMemo.get(raw);
  if (hit !== undefined) return hit;
  const host = normalizeIdentifier(raw);
  const value = host === null ? null : { host, base: baseDomainOf(host) };
  if (raw.length <= 255) {
    if (identifierMemo.size >= IDENTIFIER_MEMO_SIZE) identifierMemo.delete(identifierMemo.keys().next().value!);
    identifierMemo.set(raw, value);
  }
  return value;
}

/**
 * The runtime check of specs/devpayr.md ("is this install licensed and paid for?"): the
 * delivered software's one call, so it reads a cached snapshot and writes only when
 * something is new (a first identifier under limits, a day counter under max_usage_per_day,
 * the first sighting of an expiry). Every outcome is recorded for statistics off the request path.
 */
export async function checkLicense(ctx: Context, input: RuntimeCheckInput): Promise<RuntimeCheck> {
  const now = ctx.clock.now();
  const found: Found = { snapshot: null };
  const result = await evaluate(ctx, input, now, found);
  const snap = found.snapshot;
  checkRecorder(ctx).record({
    projectId: snap?.project.id ?? null,
    licenseId: snap?.license.id ?? null,
    identifier: result.valid ? result.identifier : input.domain?.slice(0, 255) ?? null,
    outcome: result.valid ? (result.hasPaid ? 'paid' : 'unpaid') : result.code,
    at: now,
  });
  return result;
}

/** The license the key named, when it named one: refusals are counted against it too. */
interface Found {
  snapshot: LicenseSnapshot | null;
}

async function evaluate(ctx: Context, input: RuntimeCheckInput, now: Date, found: Found): Promise<RuntimeCheck> {
  const key = input.licenseKey?.trim();
  if (!key) return refuse('license_required', 401, 'Missing license key: send it in the X-LICENSE-KEY header.');
  const snap = await licenseSnapshot(ctx, hashKey(key));
  if (!snap) return refuse('invalid_license', 403, 'Invalid license key.');
  found.snapshot = snap;
  const { license, project } = snap;
  if (license.status === 'revoked') return refuse('revoked', 403, 'This license has been revoked.');
  if (license.expiresAt !== null && license.expiresAt.getTime() <= now.getTime()) {
    await recordExpiry(ctx, snap);
    return refuse('expired', 403, 'This license has expired.');
  }
  if (input.projectId !== null && input.projectId !== project.id) {
    return refuse('project_mismatch', 403, 'This license does not belong to the given project.');
  }
  if (!project.isActive) return refuse('project_inactive', 403, 'The project of this license is not active.');

  let identifier: Identifier | null = null;
  if (input.domain !== null && input.domain.trim() !== '') {
    identifier = identifierOf(input.domain);
    if (identifier === null) {
      return refuse('bad_domain', 400, 'The X-Devpayr-Domain header must be a host name, an IP address or an install fingerprint.');
    }
  }

  const matched = await matchIdentifier(ctx, snap, identifier);
  if ('valid' in matched) return matched;
  const domain = matched.domain;

  if (license.allowedIps && !license.allowedIps.includes(plainIp(input.ip))) {
    return refuse('ip_not_allowed', 403, 'This license is not authorized for this IP address.');
  }
  if (license.allowedCountries) {
    // No geolocation database ships with the server: failing closed keeps a vendor's
    // restriction meaningful instead of silently ignoring it.
    return refuse(
      'country_unverifiable',
      403,
      `This license is restricted to ${license.allowedCountries.join(', ')}, which this server cannot verify.`,
    );
  }
  if (license.maxUsagePerDay !== null) {
    const used = await countUsage(ctx, license.id, now);
    if (used > license.maxUsagePerDay) {
      const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      return {
        ...refuse('usage_limit', 429, `This license has reached its limit of ${license.maxUsagePerDay} checks per day.`),
        retryAfterSeconds: Math.max(1, Math.ceil((midnight - now.getTime()) / 1000)),
      };
    }
  }

  if (identifier !== null) checkRecorder(ctx).sighting(license.id, identifier.host, identifier.base, now);
  const byProject = (input.action ?? 'check_project') === 'check_project' || domain === null;
  const hasPaid = byProject ? project.hasPaid : domain.hasPaid;
  return { valid: true, code: 'VALID', hasPaid, snapshot: snap, domain, identifier: identifier?.host ?? null };
}

/** The domain rules, in the order of the spec; `{domain}` when the identifier may use the license. */
async function matchIdentifier(
  ctx: Context,
  snap: LicenseSnapshot,
  seen: Identifier | null,
): Promise<{ domain: RuntimeDomain | null } | RuntimeCheck> {
  const { license, domains } = snap;
  const identifier = seen?.host ?? null;
  const needsDomain =
    license.isTest || license.domainId !== null || domains.length > 0 || license.maxDomains !== null || license.maxSubdomainsPerDomain !== null;
  if (identifier === null) {
    if (needsDomain) return refuse('domain_required', 400, 'This license needs the X-Devpayr-Domain header: the host name the software runs on.');
    return { domain: null };
  }
  const registered = domains.find((d) => d.host === identifier) ?? null;

  if (license.isTest) {
    // A test license is for development machines only, whatever domains the project has.
    if (!isTestHost(identifier)) {
      return refuse('test_license_domain', 403, 'A test license works only on localhost, 127.0.0.1 and *.test domains.');
    }
    return { domain: registered };
  }

  let domain: RuntimeDomain | null = null;
  if (license.domainId !== null) {
    const pinned = domains.find((d) => d.id === license.domainId);
    if (!pinned || pinned.host !== identifier) return refuse('domain_mismatch', 403, MISMATCH);
    domain = pinned;
  } else if (domains.length > 0) {
    if (!registered) return refuse('domain_mismatch', 403, MISMATCH);
    domain = registered;
  } else if (snap.identifiers && !snap.identifiers.has(identifier)) {
    const base = seen!.base;
    if (license.maxDomains !== null || license.maxSubdomainsPerDomain !== null) {
      const registeredNow = await registerIdentifier(ctx, snap, identifier, base);
      if (!registeredNow.ok) return refuse(registeredNow.code, 403, registeredNow.message);
    } else {
      snap.identifiers.set(identifier, base);
    }
  }
  if (domain) {
    if (!domain.isActive) return refuse('domain_inactive', 403, 'This domain is not active for the project.');
    if (domain.environment !== 'production') {
      return refuse('environment_mismatch', 403, `A production license cannot be used on a ${domain.environment} domain.`);
    }
  }
  return { domain };
}

/** Today's count after this check, atomically incremented: the limit holds across processes. */
async function countUsage(ctx: Context, licenseId: string, now: Date): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  const row = await ctx.db
    .insertInto('license_usage_days')
    .values({ license_id: licenseId, day, count: 1 })
    .onConflict((oc) => oc.columns(['license_id', 'day']).doUpdateSet({ count: sql<number>`license_usage_days.count + 1` }))
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

const expiryAnnounced = new WeakMap<Context, Set<string>>();

/** The expiry a check sees is announced at once (once per process; the claim makes it once in all). */
async function recordExpiry(ctx: Context, snap: LicenseSnapshot): Promise<void> {
  let seen = expiryAnnounced.get(ctx);
  if (!seen) expiryAnnounced.set(ctx, (seen = new Set()));
  if (seen.has(snap.license.id)) return;
  seen.add(snap.license.id);
  await announceExpiredLicenses(ctx, { licenseId: snap.license.id });
}
