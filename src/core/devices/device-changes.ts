import type { Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import { uuidv7 } from '../../lib/ids.js';
import { DeviceErrors } from './device-errors.js';

const WINDOW_MS = 86_400_000;

/**
 * Counts one activation or deactivation against DEVICE_CHANGES_PER_DAY, so a seat cannot be
 * cycled to farm machine files; past the limit, 429 with the seconds until the oldest change
 * of the window leaves it. Call it with the license locked (holder-license.ts lockLicense).
 */
export async function countDeviceChange(
  trx: Transaction<Database>,
  ctx: Pick<Context, 'config'>,
  licenseId: string,
  now: Date,
): Promise<void> {
  const recent = await trx
    .selectFrom('license_device_changes')
    .select((eb) => [eb.fn.countAll<string | number>().as('n'), eb.fn.min('created_at').as('oldest')])
    .where('license_id', '=', licenseId)
    .where('created_at', '>', new Date(now.getTime() - WINDOW_MS))
    .executeTakeFirstOrThrow();
  const limit = ctx.config.deviceChangesPerDay;
  if (Number(recent.n) >= limit) {
    const freed = new Date(recent.oldest as Date | string).getTime() + WINDOW_MS;
    throw DeviceErrors.changeLimit(limit, Math.max(1, Math.ceil((freed - now.getTime()) / 1000)));
  }
  await trx
    .insertInto('license_device_changes')
    .values({ id: uuidv7(now.getTime()), license_id: licenseId, created_at: now })
    .execute();
}
