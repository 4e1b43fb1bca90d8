import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { licenseData } from '../events/event-data.js';
import { queueDeliveries } from '../events/record-event.js';
import { toLicense } from './license.js';

/** Licenses announced per transaction: short writes, however many expire at once. */
const BATCH = 200;

type ExpiryCtx = Pick<Context, 'db' | 'clock' | 'log'>;

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
  for (;;) {
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
      .limit(BATCH);
    if (only) due = due.where('licenses.id', '=', only.licenseId);
    const rows = await due.execute();
    if (rows.length === 0) return announced;

    announced += await ctx.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .updateTable('licenses')
        .set({ expiry_event_at: now })
        .where('id', 'in', rows.map((r) => r.id))
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
      await queueDeliveries(trx, events.map((e) => ({ id: e.id, ownerId: e.owner_id, projectId: e.project_id, type: e.type })), now);
      return events.length;
    });
    if (rows.length < BATCH) return announced;
  }
}

/**
 * Announces expiries every `everyMs` until the context closes. A failed sweep is logged and
 * the next one tries again; nothing is lost, since the claim is in the database.
 */
export function startExpirySweeper(ctx: ExpiryCtx & Pick<Context, 'onClose'>, everyMs: number): void {
  let running: Promise<void> | null = null;
  const sweep = () => {
    if (running) return;
    running = announceExpiredLicenses(ctx)
      .then(
        (n) => void (n > 0 && ctx.log.info({ announced: n }, 'license expiries announced')),
        (err: unknown) => ctx.log.warn({ err: (err as Error).message }, 'license expiry sweep failed; will retry'),
      )
      .finally(() => {
        running = null;
      });
  };
  // At once (expiries that passed while no server ran), then every everyMs.
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  ctx.onClose(async () => {
    clearInterval(timer);
    await running;
  });
}
