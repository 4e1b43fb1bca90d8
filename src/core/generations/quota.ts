import { sql, type Transaction } from 'kysely';
import type { Database, Tier } from '../../db/schema/index.js';
import type { Context } from '../../context.js';
import { DomainError, Forbidden } from '../errors.js';
import type { Principal } from '../principal.js';
import { TIERS } from '../plans/tiers.js';
import { GENERATION_MESSAGES, secondsToNextDay, secondsToNextMonth, utcDay, utcMonth } from './generation.js';

const quotaExceeded = (retryAfter: number) =>
  new DomainError('rate_limited', 'generation_quota', GENERATION_MESSAGES.quota, [], retryAfter);

/**
 * Takes one unit of the developer's monthly quota, or refuses with 429. The counter row is
 * made if missing, then incremented by one UPDATE whose WHERE holds the limit: the database
 * applies it atomically, so parallel creates in any number of processes stop exactly at the
 * limit. Returns the month charged, or null for an unlimited tier (nothing to give back).
 */
export async function takeMonthlyUnit(
  trx: Transaction<Database>,
  ownerId: string,
  tier: Tier,
  now: Date,
): Promise<string | null> {
  const limit = TIERS[tier].rate.generation?.limit ?? null;
  if (limit === null) return null;
  const month = utcMonth(now);
  await trx
    .insertInto('generation_usage')
    .values({ owner_id: ownerId, month, used: 0 })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const r = await trx
    .updateTable('generation_usage')
    .set({ used: sql`used + 1` })
    .where('owner_id', '=', ownerId)
    .where('month', '=', month)
    .where('used', '<', limit)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw quotaExceeded(secondsToNextMonth(now));
  return month;
}

/** A failed generation gives its unit back (once: the caller clears the generation's quota_month in the same transaction). */
export async function giveMonthlyUnitBack(trx: Transaction<Database>, ownerId: string, month: string): Promise<void> {
  await trx
    .updateTable('generation_usage')
    .set({ used: sql`used - 1` })
    .where('owner_id', '=', ownerId)
    .where('month', '=', month)
    .where('used', '>', 0)
    .execute();
}

/** One anonymous generation for this client today, under ANONYMOUS_GENERATIONS_PER_DAY (0: refused, 403). */
export async function takeAnonymousUnit(
  trx: Transaction<Database>,
  client: string,
  perDay: number,
  now: Date,
): Promise<void> {
  if (perDay === 0) throw Forbidden('anonymous_generation_disabled', GENERATION_MESSAGES.anonymousOff);
  const day = utcDay(now);
  await trx
    .insertInto('anonymous_generation_usage')
    .values({ client, day, used: 0 })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const r = await trx
    .updateTable('anonymous_generation_usage')
    .set({ used: sql`used + 1` })
    .where('client', '=', client)
    .where('day', '=', day)
    .where('used', '<', perDay)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw quotaExceeded(secondsToNextDay(now));
}

/** This month's units used and the tier's limit (null: unlimited) for a developer. */
export async function monthlyUsage(
  db: Pick<Transaction<Database>, 'selectFrom'>,
  ownerId: string,
  tier: Tier,
  now: Date,
): Promise<{ month: string; used: number; limit: number | null }> {
  const month = utcMonth(now);
  const limit = TIERS[tier].rate.generation?.limit ?? null;
  const row = await db
    .selectFrom('generation_usage')
    .select('used')
    .where('owner_id', '=', ownerId)
    .where('month', '=', month)
    .executeTakeFirst();
  return { month, used: Number(row?.used ?? 0), limit };
}

/** Quota left this month for a developer (null: unlimited); the pre-check before an upload is received. */
export async function monthlyUnitsLeft(
  db: Pick<Transaction<Database>, 'selectFrom'>,
  ownerId: string,
  tier: Tier,
  now: Date,
): Promise<number | null> {
  if ((TIERS[tier].rate.generation?.limit ?? null) === null) return null;
  const u = await monthlyUsage(db, ownerId, tier, now);
  return Math.max(0, u.limit! - u.used);
}

/** The calling developer's generation usage this month against their tier's quota (the console shows it). */
export async function generationUsage(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
): Promise<{ month: string; used: number; limit: number | null }> {
  if (principal.kind !== 'developer') throw Forbidden('developer_required', 'Only a developer has a generation quota.');
  return monthlyUsage(ctx.db, principal.userId, principal.tier, ctx.clock.now());
}

export { quotaExceeded };
