import type { Context } from '../../context.js';
import { findLicenseRow } from '../licenses/get-license.js';
import type { Principal } from '../principal.js';
import { projectInScope } from '../projects/project-in-scope.js';
import { isUuid } from '../../lib/ids.js';
import { DeviceErrors } from './device-errors.js';
import { toDevice, type Device } from './device.js';
import { endDevice } from './end-device.js';

/** How many devices the developer's list shows, the most recently activated first. */
export const LISTED_DEVICES = 500;

/** The developer's view of a license's devices: active and ended, newest first. */
export async function listLicenseDevices(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
): Promise<Device[]> {
  const project = await projectInScope(ctx, principal, projectId);
  const license = await findLicenseRow(ctx.db, project.id, licenseId);
  const rows = await ctx.db
    .selectFrom('license_devices')
    .selectAll()
    .where('license_id', '=', license.id)
    .orderBy('id', 'desc')
    .limit(LISTED_DEVICES)
    .execute();
  return rows.map(toDevice);
}

/** The developer frees a seat (not counted against DEVICE_CHANGES_PER_DAY: that limit is the holder's). */
export async function removeLicenseDevice(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
  deviceId: string,
): Promise<Device> {
  const project = await projectInScope(ctx, principal, projectId);
  return ctx.db.transaction().execute(async (trx) => {
    const license = await findLicenseRow(trx, project.id, licenseId);
    const row = isUuid(deviceId)
      ? await trx
          .selectFrom('license_devices')
          .select('id')
          .where('id', '=', deviceId)
          .where('license_id', '=', license.id)
          .where('status', '=', 'active')
          .executeTakeFirst()
      : undefined;
    if (!row) throw DeviceErrors.notFound();
    const ended = await endDevice(trx, ctx, principal, {
      deviceId: row.id,
      project,
      seated: license.max_devices !== null,
      to: 'deactivated',
    });
    if (!ended) throw DeviceErrors.notFound();
    return ended;
  });
}
