import { sql } from 'kysely';
import type { Context } from '../../context.js';
import { hashKey } from '../keys/secret-key.js';
import { announceExpiredLicenses } from '../licenses/license-expiry.js';
import { NOT_FOUND, type Found, type Sometime } from './memory.js';
import { registerIdentifier } from './register-identifier.js';
import { decide, type CheckRequest, type Need, type Verdict } from './rules.js';
import type { LicenseSnapshot } from './snapshot.js';

/** The check as a face hands it over. */
export interface RuntimeCheckInput {
  licenseKey: string | null;
  /** The raw X-Devpayr-Domain value, or null when the client sent none. */
  domain: string | null;
  ip: string;
  /** `action` query parameter; `check_project` (the default) answers with the project's flag. */
  action: string | null;
  /** A project the client says it belongs to (the browser client sends `projectId`). */
  projectId: string | null;
  /** X-Device-Fingerprint, for licenses with max_devices. */
  device?: string | null;
  /** X-Device-Components: a JSON array of {name, fingerprint}. */
  deviceComponents?: string | null;
}

function then<T, U>(value: Sometime<T>, next: (value: T) => Sometime<U>): Sometime<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * The runtime check of specs/devpayr.md ("is this install licensed and paid for?"): memory
 * finds the license, the rules (rules.ts) decide, memory counts the check. What the rules
 * cannot decide from memory (a new identifier under domain limits, a daily limit) is asked
 * of the database here, as are the effects of a verdict (the announcement of an expiry).
 *
 * When memory decides (a kept snapshot or the key filter's "no such key", and nothing to
 * ask or write) the verdict is returned at once, not as a promise: the check every install
 * makes costs no microtask.
 */
export function checkLicense(ctx: Context, input: RuntimeCheckInput): Sometime<Verdict> {
  const { runtime } = ctx;
  const now = ctx.clock.now();
  const licenseKey = input.licenseKey?.trim() || null;
  const raw = input.domain;
  const identifier = raw === null || raw.trim() === '' ? null : (runtime.identifierOf(raw) ?? 'malformed');
  const barredFor =
    licenseKey !== null && ctx.config.rateLimit ? runtime.unknownKeys.blockedFor(input.ip, now.getTime()) : 0;
  const req: CheckRequest = {
    licenseKey,
    domain: raw,
    identifier,
    ip: input.ip,
    action: input.action,
    projectId: input.projectId,
    barredFor,
    device: input.device?.trim() || null,
    deviceComponents: input.deviceComponents ?? null,
  };
  if (licenseKey === null || barredFor > 0) return settle(ctx, NOT_FOUND, req, now);
  return then(runtime.memory.lookup(hashKey(licenseKey), req, now), (found) => settle(ctx, found, req, now));
}

function settle(ctx: Context, found: Found, req: CheckRequest, now: Date): Sometime<Verdict> {
  const decision = found.repeated ?? decide(found.snapshot, req, now);
  if ('need' in decision)
    return ask(ctx, found.snapshot!, req, decision, now).then((answered) => settle(ctx, found, answered, now));
  if (decision.valid) return recorded(ctx, found, req, decision, now);
  if (decision.outcome === 'INVALID_LICENSE') ctx.runtime.unknownKeys.unknown(req.ip, now.getTime());
  if (decision.outcome === 'EXPIRED')
    return announceExpiry(ctx, found.snapshot!).then(() => recorded(ctx, found, req, decision, now));
  return recorded(ctx, found, req, decision, now);
}

function recorded(ctx: Context, found: Found, req: CheckRequest, verdict: Verdict, now: Date): Verdict {
  ctx.runtime.memory.record(found, req, verdict, now);
  return verdict;
}

/** The request with the database's answer to what the rules need. */
async function ask(
  ctx: Context,
  snap: LicenseSnapshot,
  req: CheckRequest,
  need: Need,
  now: Date,
): Promise<CheckRequest> {
  if (need.need === 'usage') return { ...req, usedToday: await countUsage(ctx, snap.license.id, now) };
  const registration = await registerIdentifier(ctx, snap, need.identifier.host, need.identifier.base);
  // The kept snapshot does not list the new identifier: the next check reads it anew.
  if (registration.ok) ctx.runtime.memory.invalidate({ projectId: snap.project.id, licenseId: snap.license.id });
  return { ...req, registration };
}

/** Today's count after this check, atomically incremented: the limit holds across processes. */
async function countUsage(ctx: Context, licenseId: string, now: Date): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  const row = await ctx.db
    .insertInto('license_usage_days')
    .values({ license_id: licenseId, day, count: 1 })
    .onConflict((oc) =>
      oc.columns(['license_id', 'day']).doUpdateSet({ count: sql<number>`license_usage_days.count + 1` }),
    )
    .returning('count')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The expiry a check sees is announced at once (once per process; the claim makes it once in all). */
async function announceExpiry(ctx: Context, snap: LicenseSnapshot): Promise<void> {
  const seen = ctx.runtime.expiryAnnounced;
  if (seen.has(snap.license.id)) return;
  seen.add(snap.license.id);
  await announceExpiredLicenses(ctx, { licenseId: snap.license.id });
}
