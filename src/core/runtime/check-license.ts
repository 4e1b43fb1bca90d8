import { sql } from 'kysely';
import type { Context } from '../../context.js';
import { hashKey } from '../keys/secret-key.js';
import { registerIdentifier } from './register-identifier.js';
import { announceExpiredLicenses } from '../licenses/license-expiry.js';
import type { LicenseSnapshot, RuntimeDomain } from './snapshot-store.js';
import type { Identifier } from './state.js';
import type { Tally } from './check-recorder.js';

/**
 * What a runtime check concluded, as the core's own codes (DESIGN convention 4: expected
 * outcomes are values); each face maps them to its statuses in one place. VALID and NOT_PAID
 * pass (the license may run here; the project has or has not been paid for), the rest refuse.
 */
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
  | 'USAGE_LIMIT';
export type CheckOutcome = 'VALID' | 'NOT_PAID' | RefusalOutcome;

export type Refusal = { valid: false; outcome: RefusalOutcome; message: string; retryAfterSeconds?: number };
export type RuntimeCheck =
  | {
      valid: true;
      outcome: 'VALID' | 'NOT_PAID';
      hasPaid: boolean;
      snapshot: LicenseSnapshot;
      domain: RuntimeDomain | null;
      identifier: string | null;
      /**
       * A pass is one object for as long as the same install's checks repeat it (the
       * snapshot's last verdict): a face may keep its rendering of the answer here, made once.
       */
      rendered: string | null;
    }
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

const refuse = (outcome: RefusalOutcome, message: string, retryAfterSeconds?: number): Refusal =>
  retryAfterSeconds === undefined ? { valid: false, outcome, message } : { valid: false, outcome, message, retryAfterSeconds };

/** The outcome as recorded in the statistics (license_check_counts.outcome), unchanged since they began. */
const recordedOutcome = (check: RuntimeCheck): string =>
  check.valid ? (check.hasPaid ? 'paid' : 'unpaid') : check.outcome.toLowerCase();

function isTestHost(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host.endsWith('.test');
}

function expired(snap: LicenseSnapshot, now: Date): boolean {
  return snap.license.expiresAt !== null && snap.license.expiresAt.getTime() <= now.getTime();
}

/** A value now, or later: the check answers synchronously whenever memory can decide it. */
export type Sometime<T> = T | Promise<T>;

function then<T, U>(value: Sometime<T>, next: (value: T) => Sometime<U>): Sometime<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * The runtime check of specs/devpayr.md ("is this install licensed and paid for?"): the
 * delivered software's one call, so it reads a cached snapshot and writes only when
 * something is new (a first identifier under limits, a day counter under max_usage_per_day,
 * the first sighting of an expiry). Every outcome is recorded for statistics off the request path.
 *
 * When memory decides the check (a kept snapshot or the key filter's "no such key", and no
 * write to make) the answer is returned at once, not as a promise: the check every install
 * makes costs no microtask. Anything that reads or writes the database returns a promise.
 */
export function checkLicense(ctx: Context, input: RuntimeCheckInput): Sometime<RuntimeCheck> {
  const c: Checking = { ctx, input, now: ctx.clock.now(), snapshot: null, counted: false };
  const result = evaluate(c);
  return result instanceof Promise ? result.then((r) => counted(c, r)) : counted(c, result);
}

/** Records the check in the statistics, unless its pass was counted already (recordPass, bump). */
function counted({ ctx, input, now, snapshot: snap, counted }: Checking, result: RuntimeCheck): RuntimeCheck {
  if (counted) return result;
  ctx.runtime.recorder.record({
    projectId: snap?.project.id ?? null,
    licenseId: snap?.license.id ?? null,
    identifier: result.valid ? result.identifier : input.domain?.slice(0, 255) ?? null,
    outcome: recordedOutcome(result),
    at: now,
  });
  return result;
}

/** One check under way. */
interface Checking {
  ctx: Context;
  input: RuntimeCheckInput;
  now: Date;
  /** The license the key named, when it named one: refusals are counted against it too. */
  snapshot: LicenseSnapshot | null;
  /** The statistics have this check already. */
  counted: boolean;
}

/**
 * The last pass of a snapshot: what it answered to which inputs, and where it was counted.
 * An install sends the same key, domain header, project and action on every check, so its
 * next check is answered from here without the rules, as long as nothing the rules read can
 * have changed: every rule reads the snapshot (replaced, with this, by any change to the
 * license, its project or their domains) or the inputs compared here, except expiry (checked
 * again below), the unknown-key limit (checked before), and the address and daily limits,
 * whose licenses are never kept here.
 */
export interface Verdict {
  domain: string | null;
  projectId: string | null;
  action: string | null;
  result: Extract<RuntimeCheck, { valid: true }>;
  tally: Tally;
}

/** The snapshot's last pass, when this check repeats it and may still be answered by it. */
function repeatedPass(c: Checking, snap: LicenseSnapshot): RuntimeCheck | null {
  const { input, now } = c;
  const v = snap.lastPass;
  if (v === null || v.domain !== input.domain || v.projectId !== input.projectId || v.action !== input.action) return null;
  if (expired(snap, now)) return null;
  if (!c.ctx.runtime.recorder.bump(v.tally, now)) return null;
  c.counted = true;
  return v.result;
}

function evaluate(c: Checking): Sometime<RuntimeCheck> {
  const { ctx, input, now } = c;
  const key = input.licenseKey?.trim();
  if (!key) return refuse('LICENSE_REQUIRED', 'Missing license key: send it in the X-LICENSE-KEY header.');
  const { runtime } = ctx;
  const limited = ctx.config.rateLimit ? runtime.unknownKeys.blockedFor(input.ip, now.getTime()) : 0;
  if (limited > 0) return refuse('TOO_MANY_UNKNOWN_KEYS', 'Too many unknown license keys from this address. Try again later.', limited);
  const keyHash = hashKey(key);
  const known = runtime.store.peek(keyHash);
  if (known === undefined) return runtime.store.get(keyHash).then((snap) => judge(c, snap));
  return (known && repeatedPass(c, known)) || judge(c, known);
}

/** The rules of the check against the license the key named (null: no such license). */
function judge(c: Checking, snap: LicenseSnapshot | null): Sometime<RuntimeCheck> {
  const { ctx, input, now } = c;
  const { runtime } = ctx;
  if (!snap) {
    runtime.unknownKeys.unknown(input.ip, now.getTime());
    return refuse('INVALID_LICENSE', 'Invalid license key.');
  }
  c.snapshot = snap;
  const { license, project } = snap;
  if (license.status === 'revoked') return refuse('REVOKED', 'This license has been revoked.');
  if (expired(snap, now)) {
    return recordExpiry(ctx, snap).then(() => refuse('EXPIRED', 'This license has expired.'));
  }
  if (input.projectId !== null && input.projectId !== project.id) {
    return refuse('PROJECT_MISMATCH', 'This license does not belong to the given project.');
  }
  if (!project.isActive) return refuse('PROJECT_INACTIVE', 'The project of this license is not active.');

  let identifier: Identifier | null = null;
  if (input.domain !== null && input.domain.trim() !== '') {
    identifier = runtime.identifierOf(input.domain);
    if (identifier === null) {
      return refuse('BAD_DOMAIN', 'The X-Devpayr-Domain header must be a host name, an IP address or an install fingerprint.');
    }
  }
  return then(matchIdentifier(ctx, snap, identifier), (matched) =>
    'valid' in matched ? matched : admit(c, snap, identifier, matched.domain),
  );
}

/** The rules after the domain: addresses, countries, the daily limit; then the pass. */
function admit(c: Checking, snap: LicenseSnapshot, identifier: Identifier | null, domain: RuntimeDomain | null): Sometime<RuntimeCheck> {
  const { ctx, input, now } = c;
  const { license } = snap;
  if (license.allowedIps && !license.allowedIps.allows(input.ip)) {
    return refuse('IP_NOT_ALLOWED', 'This license is not authorized for this IP address.');
  }
  if (license.allowedCountries) {
    // No geolocation database ships with the server: failing closed keeps a vendor's
    // restriction meaningful instead of silently ignoring it.
    return refuse(
      'COUNTRY_UNVERIFIABLE',
      `This license is restricted to ${license.allowedCountries.join(', ')}, which this server cannot verify.`,
    );
  }
  if (license.maxUsagePerDay !== null) {
    const limit = license.maxUsagePerDay;
    return countUsage(ctx, license.id, now).then((used) => {
      if (used <= limit) return pass(c, snap, identifier, domain);
      const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      const retryAfter = Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
      return refuse('USAGE_LIMIT', `This license has reached its limit of ${limit} checks per day.`, retryAfter);
    });
  }
  return pass(c, snap, identifier, domain);
}

/** A pass: counted with its sighting, and kept as the snapshot's last verdict where repeatedPass may answer it again. */
function pass(c: Checking, snap: LicenseSnapshot, identifier: Identifier | null, domain: RuntimeDomain | null): RuntimeCheck {
  const { ctx, input, now } = c;
  const byProject = (input.action ?? 'check_project') === 'check_project' || domain === null;
  const hasPaid = byProject ? snap.project.hasPaid : domain.hasPaid;
  const outcome = hasPaid ? 'VALID' : 'NOT_PAID';
  const result: Extract<RuntimeCheck, { valid: true }> = { valid: true, outcome, hasPaid, snapshot: snap, domain, identifier: identifier?.host ?? null, rendered: null };
  const record = { projectId: snap.project.id, licenseId: snap.license.id, identifier: result.identifier, outcome: recordedOutcome(result), at: now };
  const tally = ctx.runtime.recorder.recordPass(record, identifier && { identifier: identifier.host, base: identifier.base });
  c.counted = true;
  if (snap.license.allowedIps === null && snap.license.maxUsagePerDay === null) {
    snap.lastPass = { domain: input.domain, projectId: input.projectId, action: input.action, result, tally };
  }
  return result;
}

/** The domain rules, in the order of the spec; `{domain}` when the identifier may use the license. */
function matchIdentifier(ctx: Context, snap: LicenseSnapshot, seen: Identifier | null): Sometime<{ domain: RuntimeDomain | null } | Refusal> {
  const { license, domains } = snap;
  const identifier = seen?.host ?? null;
  const needsDomain =
    license.isTest || license.domainId !== null || domains.length > 0 || license.maxDomains !== null || license.maxSubdomainsPerDomain !== null;
  if (identifier === null) {
    if (needsDomain) return refuse('DOMAIN_REQUIRED', 'This license needs the X-Devpayr-Domain header: the host name the software runs on.');
    return NO_DOMAIN;
  }
  const registered = domains.find((d) => d.host === identifier) ?? null;

  if (license.isTest) {
    // A test license is for development machines only, whatever domains the project has.
    if (!isTestHost(identifier)) {
      return refuse('TEST_LICENSE_DOMAIN', 'A test license works only on localhost, 127.0.0.1 and *.test domains.');
    }
    return { domain: registered };
  }

  let domain: RuntimeDomain | null = null;
  if (license.domainId !== null) {
    const pinned = domains.find((d) => d.id === license.domainId);
    if (!pinned || pinned.host !== identifier) return refuse('DOMAIN_MISMATCH', MISMATCH);
    domain = pinned;
  } else if (domains.length > 0) {
    if (!registered) return refuse('DOMAIN_MISMATCH', MISMATCH);
    domain = registered;
  } else if (snap.identifiers && !snap.identifiers.has(identifier)) {
    const base = seen!.base;
    if (license.maxDomains !== null || license.maxSubdomainsPerDomain !== null) {
      return registerIdentifier(ctx, snap, identifier, base).then((registeredNow) =>
        registeredNow.ok ? NO_DOMAIN : refuse(registeredNow.code === 'domain_limit' ? 'DOMAIN_LIMIT' : 'SUBDOMAIN_LIMIT', registeredNow.message),
      );
    }
    snap.identifiers.set(identifier, base);
  }
  if (domain) {
    if (!domain.isActive) return refuse('DOMAIN_INACTIVE', 'This domain is not active for the project.');
    if (domain.environment !== 'production') {
      return refuse('ENVIRONMENT_MISMATCH', `A production license cannot be used on a ${domain.environment} domain.`);
    }
    return { domain };
  }
  return NO_DOMAIN;
}

const NO_DOMAIN: { domain: RuntimeDomain | null } = Object.freeze({ domain: null });

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

/** The expiry a check sees is announced at once (once per process; the claim makes it once in all). */
async function recordExpiry(ctx: Context, snap: LicenseSnapshot): Promise<void> {
  const seen = ctx.runtime.expiryAnnounced;
  if (seen.has(snap.license.id)) return;
  seen.add(snap.license.id);
  await announceExpiredLicenses(ctx, { licenseId: snap.license.id });
}
