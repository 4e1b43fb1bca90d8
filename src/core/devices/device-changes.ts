import type { Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import { uuidv7 } from '../../lib/ids.js';
import { dayWindowRetryAfter } from '../licenses/day-window.js';
import { DeviceErrors } from './device-errors.js';

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
  const limit = ctx.config.deviceChangesPerDay;
  const retryAfter = await dayWindowRetryAfter(trx, 'license_device_changes', licenseId, limit, now);
  if (retryAfter !== null) throw DeviceErrors.changeLimit(limit, retryAfter);
  await trx
    .insertInto('license_device_changes')
    .values({ id: uuidv7(now.getTime()), license_id: licenseId, created_at: now })
    .execute();
}
