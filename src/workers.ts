import type { Context } from './context.js';
import { startAuditPruner } from './core/audit/prune-audit-log.js';
import { startExpirySweeper } from './core/licenses/license-expiry.js';
import { startDeliveryLoop } from './core/webhooks/delivery-loop.js';

/**
 * The background work of a serving process (the command-line tools do not run it). Each
 * worker stops when the context closes. The runtime check's change feed, key filter and
 * Redis push start here too (or on the first check of a process that runs no workers).
 */
export function startWorkers(ctx: Context): void {
  void ctx.runtime.start();
  startExpirySweeper(ctx, ctx.config.expirySweepSeconds * 1000);
  startDeliveryLoop(ctx);
  startAuditPruner(ctx);
  ctx.generationJobs.start();
  ctx.blobCleanup.start();
}

/** `tollgate worker`: a process that only runs generation jobs and removes deleted generations' images (no HTTP, no sweeper). */
export function startJobWorkers(ctx: Context): void {
  ctx.generationJobs.start();
  ctx.blobCleanup.start();
}
