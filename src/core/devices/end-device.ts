import type { Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import type { Actor } from '../audit/record-audit.js';
import { recordChange } from '../events/record-change.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import { deviceData, toDevice, type Device } from './device.js';

export interface Ending {
  deviceId: string;
  project: { id: string; ownerId: string };
  /** Whether the license has max_devices (then the runtime is told: its checks need the device). */
  seated: boolean;
  to: 'deactivated' | 'released';
  /** For a release: the device must still be due at this time (a heartbeat since saves it). */
  dueBy?: Date;
}

/**
 * Frees a device's seat: one guarded UPDATE from `active`, so of two concurrent endings (a
 * holder's deactivation, the heartbeat sweep) one changes the row and records the event;
 * the other gets null.
 */
export async function endDevice(
  trx: Transaction<Database>,
  ctx: Pick<Context, 'clock' | 'runtime'>,
  actor: Actor,
  e: Ending,
): Promise<Device | null> {
  let update = trx
    .updateTable('license_devices')
    .set({ status: e.to, ended_at: ctx.clock.now(), release_at: null })
    .where('id', '=', e.deviceId)
    .where('status', '=', 'active');
  if (e.dueBy) update = update.where('release_at', '<=', e.dueBy);
  const row = await update.returningAll().executeTakeFirst();
  if (!row) return null;
  const device = toDevice(row);
  if (e.seated) await noteRuntimeChange(trx, ctx, { projectId: e.project.id, licenseId: row.license_id });
  const type = e.to === 'released' ? 'device.released' : 'device.deactivated';
  await recordChange(trx, ctx, actor, {
    type,
    project: e.project,
    target: { type: 'device', id: device.id },
    data: deviceData(device, e.project.id),
  });
  return device;
}
