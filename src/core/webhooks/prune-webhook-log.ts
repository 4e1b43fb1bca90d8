import type { Context } from '../../context.js';
import { daysAgo, inBatches } from '../periodic.js';

const BATCH = 500;
const FINISHED = ['delivered', 'failed'] as const;

/**
 * Deletes the deliveries that ended (`delivered` or `failed`) and were created and last
 * attempted before WEBHOOK_LOG_RETENTION_DAYS, with their attempt log (ON DELETE CASCADE);
 * returns how many rows (deliveries, then events). `pending` and `retrying` deliveries are kept whatever their
 * age, and so is an old delivery resent within the retention (its newest attempt is recent).
 * The status is checked again by the DELETE itself, so a resend that races the prune wins.
 * Then the events older than the retention that no delivery refers to any more (those of
 * projects without a webhook URL, and those whose deliveries were just pruned) go too: the
 * events table is the webhooks' outbox and nothing else reads it.
 */
export async function pruneWebhookLog(ctx: Pick<Context, 'db' | 'clock' | 'config'>): Promise<number> {
  const cutoff = daysAgo(ctx, ctx.config.webhookLogRetentionDays);
  const deliveries = await inBatches(BATCH, async (limit) => {
    const due = ctx.db
      .selectFrom('webhook_deliveries as d')
      .select('d.id')
      .where('d.status', 'in', FINISHED)
      .where('d.created_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('webhook_attempts as a')
              .select('a.id')
              .whereRef('a.delivery_id', '=', 'd.id')
              .where('a.attempted_at', '>=', cutoff),
          ),
        ),
      )
      .limit(limit);
    const result = await ctx.db
      .deleteFrom('webhook_deliveries')
      .where('id', 'in', due)
      .where('status', 'in', FINISHED)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  });
  const events = await inBatches(BATCH, async (limit) => {
    const unreferenced = ctx.db
      .selectFrom('events as e')
      .select('e.id')
      .where('e.created_at', '<', cutoff)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'e.id'))),
      )
      .limit(limit);
    const result = await ctx.db.deleteFrom('events').where('id', 'in', unreferenced).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
  return deliveries + events;
}
