import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema/index.js';

export const DAY_MS = 86_400_000;

/**
 * A per-license limit over the last 24 hours, counted from the rows of `table` (one row per
 * use, written by the caller after this passes): null while a use is left, else the seconds
 * until the oldest use of the window leaves it (the 429's Retry-After). Call it with the
 * license locked, so that the count and the caller's insert are one step.
 */
export async function dayWindowRetryAfter(
  trx: Transaction<Database>,
  table: 'license_checkouts' | 'license_device_changes',
  licenseId: string,
  limit: number,
  now: Date,
): Promise<number | null> {
  const recent = await trx
    .selectFrom(table)
    .select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('license_id', '=', licenseId)
    .where('created_at', '>', new Date(now.getTime() - DAY_MS))
    .executeTakeFirstOrThrow();
  if (Number(recent.n) < limit) return null;
  const freed = new Date(recent.oldest as Date | string).getTime() + DAY_MS;
  return Math.max(1, Math.ceil((freed - now.getTime()) / 1000));
}
