import type { Context } from '../../context.js';
import { SYSTEM } from '../audit/record-audit.js';
import { inBatches } from '../periodic.js';
import { endDevice } from './end-device.js';

/** Devices looked at per step: short reads, however many fall silent at once. */
const BATCH = 100;

/**
 * Frees the seats of devices silent for two heartbeat intervals (their `release_at` passed),
 * each with its `device.released` event, and returns how many it released. Every serving
 * process runs it; a device is released exactly once because endDevice's guarded UPDATE
 * (still active, still due) and the event are one transaction: a second process, or a
 * heartbeat that came in between, finds nothing to change and records nothing.
 */
export async function releaseSilentDevices(ctx: Pick<Context, 'db' | 'clock' | 'runtime'>): Promise<number> {
  let released = 0;
  await inBatches(BATCH, async (limit) => {
    const now = ctx.clock.now();
    const due = await ctx.db
      .selectFrom('license_devices as d')
      .innerJoin('licenses as l', 'l.id', 'd.license_id')
      .innerJoin('projects as p', 'p.id', 'd.project_id')
      .select(['d.id', 'd.project_id', 'p.owner_id', 'l.max_devices'])
      .where('d.status', '=', 'active')
      .where('d.release_at', '<=', now)
      .orderBy('d.release_at')
      .limit(limit)
      .execute();
    for (const d of due) {
      const ended = await ctx.db.transaction().execute((trx) =>
        endDevice(trx, ctx, SYSTEM, {
          deviceId: d.id,
          project: { id: d.project_id, ownerId: d.owner_id },
          seated: d.max_devices !== null,
          to: 'released',
          dueBy: now,
        }),
      );
      if (ended) released += 1;
    }
    return due.length;
  });
  return released;
}
