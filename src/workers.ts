import type { Context } from './context.js';
import { pruneAuditLog } from './core/audit/prune-audit-log.js';
import { announceExpiredLicenses } from './core/licenses/license-expiry.js';
import { startPeriodic } from './core/periodic.js';
import { startDeliveryLoop } from './core/webhooks/delivery-loop.js';
import { pruneWebhookLog } from './core/webhooks/prune-webhook-log.js';

const HOURLY = 3_600_000;

/**
 * The background work of a serving process (the command-line tools do not run it). Each
 * worker stops when the context closes. The runtime check's change feed, key filter and
 * Redis push start here too (or on the first check of a process that runs no workers).
 */
export function startWorkers(ctx: Context): void {
  void ctx.runtime.start();
  startPeriodic(ctx, { name: 'license expiry sweep', everyMs: ctx.config.expirySweepSeconds * 1000, run: () => announceExpiredLicenses(ctx) });
  startDeliveryLoop(ctx);
  // Retention (AUDIT_RETENTION_DAYS, WEBHOOK_LOG_RETENTION_DAYS): at start, then hourly.
  startPeriodic(ctx, { name: 'audit log prune', everyMs: HOURLY, run: () => pruneAuditLog(ctx) });
  startPeriodic(ctx, { name: 'webhook log prune', everyMs: HOURLY, run: () => pruneWebhookLog(ctx) });
  ctx.generationJobs.start();
  ctx.blobCleanup.start();
}

/** `tollgate worker`: a process that only runs generation jobs and removes deleted generations' images (no HTTP, no sweeper). */
export function startJobWorkers(ctx: Context): void {
  ctx.generationJobs.start();
  ctx.blobCleanup.start();
}
