import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Actor } from '../audit/record-audit.js';
import { recordChange } from '../events/record-change.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import { countDeviceChange } from './device-changes.js';
import { DeviceErrors } from './device-errors.js';
import { deviceData, releaseAt, toDevice, type Component, type Device } from './device.js';
import { holderLicense, lockLicense } from './holder-license.js';

export interface Activation {
  fingerprint: string;
  name?: string | null;
  platform?: string | null;
  components?: Component[] | null;
}

type Ctx = Pick<Context, 'db' | 'clock' | 'config' | 'runtime'>;

/**
 * Takes a seat of the key's license for a device. The same fingerprint again is the same
 * device (`created: false`), counted nowhere. Seats are exact under concurrency: the license
 * row is locked, then its active devices are counted and the new one inserted in the same
 * transaction. Only a license with max_devices tells the runtime (its checks need the device).
 */
export async function activateDevice(
  ctx: Ctx,
  actor: Actor,
  licenseKey: string | null,
  input: Activation,
): Promise<{ device: Device; created: boolean }> {
  const { row, project } = await holderLicense(ctx, licenseKey);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const license = await lockLicense(trx, row.id);
    const same = await trx
      .selectFrom('license_devices')
      .selectAll()
      .where('license_id', '=', license.id)
      .where('fingerprint', '=', input.fingerprint)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (same) return { device: toDevice(same), created: false };
    if (license.max_devices !== null) {
      const active = await trx
        .selectFrom('license_devices')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('license_id', '=', license.id)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow();
      if (Number(active.n) >= Number(license.max_devices)) throw DeviceErrors.seatLimit(Number(license.max_devices));
    }
    await countDeviceChange(trx, ctx, license.id, now);
    const inserted = await trx
      .insertInto('license_devices')
      .values({
        id: uuidv7(now.getTime()),
        license_id: license.id,
        project_id: project.id,
        fingerprint: input.fingerprint,
        name: input.name ?? null,
        platform: input.platform ?? null,
        components: input.components ? JSON.stringify(input.components) : null,
        status: 'active',
        activated_at: now,
        last_heartbeat_at: now,
        ended_at: null,
        release_at: releaseAt(now, license.heartbeat_interval),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const device = toDevice(inserted);
    if (license.max_devices !== null)
      await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: license.id });
    await recordChange(trx, ctx, actor, {
      type: 'device.activated',
      project,
      target: { type: 'device', id: device.id },
      data: deviceData(device, project.id),
    });
    return { device, created: true };
  });
}
