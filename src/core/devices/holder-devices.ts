import type { Context } from '../../context.js';
import type { Actor } from '../audit/record-audit.js';
import { countDeviceChange } from './device-changes.js';
import { DeviceErrors } from './device-errors.js';
import { releaseAt, toDevice, type Device } from './device.js';
import { endDevice } from './end-device.js';
import { holderLicense, lockLicense } from './holder-license.js';

type Ctx = Pick<Context, 'db' | 'clock' | 'config' | 'runtime'>;

/** A heartbeat of an active device: its answer names the time the next one is due (null: the license needs none). */
export async function heartbeatDevice(
  ctx: Ctx,
  licenseKey: string | null,
  fingerprint: string,
): Promise<{ device: Device; nextHeartbeatBefore: string | null }> {
  const { row } = await holderLicense(ctx, licenseKey);
  const now = ctx.clock.now();
  const updated = await ctx.db
    .updateTable('license_devices')
    .set({ last_heartbeat_at: now, release_at: releaseAt(now, row.heartbeat_interval) })
    .where('license_id', '=', row.id)
    .where('fingerprint', '=', fingerprint)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
  if (!updated) throw DeviceErrors.notFound();
  const interval = row.heartbeat_interval === null ? null : Number(row.heartbeat_interval);
  return {
    device: toDevice(updated),
    nextHeartbeatBefore: interval === null ? null : new Date(now.getTime() + interval * 1000).toISOString(),
  };
}

/** The holder frees a seat; counted against DEVICE_CHANGES_PER_DAY with the activations. */
export async function deactivateDevice(
  ctx: Ctx,
  actor: Actor,
  licenseKey: string | null,
  fingerprint: string,
): Promise<Device> {
  const { row, project } = await holderLicense(ctx, licenseKey);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const license = await lockLicense(trx, row.id);
    const device = await trx
      .selectFrom('license_devices')
      .select('id')
      .where('license_id', '=', license.id)
      .where('fingerprint', '=', fingerprint)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (!device) throw DeviceErrors.notFound();
    await countDeviceChange(trx, ctx, license.id, now);
    const ended = await endDevice(trx, ctx, actor, {
      deviceId: device.id,
      project,
      seated: license.max_devices !== null,
      to: 'deactivated',
    });
    if (!ended) throw DeviceErrors.notFound();
    return ended;
  });
}
