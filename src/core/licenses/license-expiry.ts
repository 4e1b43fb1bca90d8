import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { licenseData } from '../events/event-data.js';
import { queueDeliveries } from '../events/record-event.js';
import { inBatches } from '../periodic.js';
import { toLicense } from './license.js';

/** Licenses announced per transaction: short writes, however many expire at once. */
const BATCH = 200;

type ExpiryCtx = Pick<Context, 'db' | 'clock'>;

/**
 * Records one durable `license.expired` event for each active license whose expiry has
 * passed and was not yet announced (or only for `licenseId`), and returns how many it
 * announced. A license is claimed by setting `expiry_event_at` where it is still null, in
 * the same transaction as its event: the event exists exactly once, whichever process or
 * runtime check gets there first. "Expired" itself needs no job (it is derived from
 * `expires_at` on every read); this is only the announcement, for webhooks.
 */
export async function announceExpiredLicenses(ctx: ExpiryCtx, only?: { licenseId: string }): Promise<number> {
  let announced = 0;
  await inBatches(BATCH, async (limit) => {
    const now = ctx.clock.now();
    let due = ctx.db
      .selectFrom('licenses')
      .innerJoin('projects', 'projects.id', 'licenses.project_id')
      .selectAll('licenses')
      .select('projects.owner_id')
      .where('licenses.expiry_event_at', 'is', null)
      .where('licenses.expires_at', '<=', now)
      .where('licenses.status', '=', 'active')
      .orderBy('licenses.expires_at')
      .limit(limit);
    if (only) due = due.where('licenses.id', '=', only.licenseId);
    const rows = await due.execute();
    if (rows.length === 0) return 0;

    announced += await ctx.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('licenses')
        .set({ expiry_event_at: now })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .where('expiry_event_at', 'is', null)
        .returning('id')
        .execute();
      const mine = new Set(claimed.map((c) => c.id));
      const events = rows
        .filter((r) => mine.has(r.id))
        .map((r) => ({
          id: uuidv7(now.getTime()),
          owner_id: r.owner_id,
          project_id: r.project_id,
          type: 'license.expired',
          payload: JSON.stringify(licenseData(toLicense({ ...r, expiry_event_at: now }, now))),
          created_at: now,
        }));
      if (events.length) await trx.insertInto('events').values(events).execute();
      await queueDeliveries(
        trx,
        events.map((e) => ({ id: e.id, ownerId: e.owner_id, projectId: e.project_id, type: e.type })),
        now,
      );
      return events.length;
    });
    return rows.length;
  });
  return announced;
}
