import type { Context } from '../../context.js';
import { daysAgo, inBatches } from '../periodic.js';

const BATCH = 1000;

/** Deletes audit entries older than AUDIT_RETENTION_DAYS, a batch per statement; returns how many. */
export async function pruneAuditLog(ctx: Pick<Context, 'db' | 'clock' | 'config'>): Promise<number> {
  const cutoff = daysAgo(ctx, ctx.config.auditRetentionDays);
  return inBatches(BATCH, async (limit) => {
    const due = ctx.db.selectFrom('audit_log').select('id').where('created_at', '<', cutoff).limit(limit);
    const result = await ctx.db.deleteFrom('audit_log').where('id', 'in', due).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
