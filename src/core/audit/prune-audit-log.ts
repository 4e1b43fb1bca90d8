import type { Context } from '../../context.js';

type PruneCtx = Pick<Context, 'db' | 'clock' | 'log' | 'config' | 'onClose'>;

/** Deletes audit entries older than AUDIT_RETENTION_DAYS; returns how many. */
export async function pruneAuditLog(ctx: Pick<Context, 'db' | 'clock' | 'config'>): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - ctx.config.auditRetentionDays * 86_400_000);
  const result = await ctx.db.deleteFrom('audit_log').where('created_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Prunes at start and then hourly until the context closes; several processes pruning at once is harmless. */
export function startAuditPruner(ctx: PruneCtx, everyMs = 3_600_000): void {
  let running: Promise<void> | null = null;
  const prune = () => {
    if (running) return;
    running = pruneAuditLog(ctx)
      .then(
        (n) => void (n > 0 && ctx.log.info({ pruned: n }, 'audit entries past retention pruned')),
        (err: unknown) => ctx.log.warn({ err: (err as Error).message }, 'audit prune failed; will retry'),
      )
      .finally(() => {
        running = null;
      });
  };
  prune();
  const timer = setInterval(prune, everyMs);
  timer.unref();
  ctx.onClose(async () => {
    clearInterval(timer);
    await running;
  });
}
