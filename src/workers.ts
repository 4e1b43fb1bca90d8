import type { Context } from './context.js';
import { pruneAuditLog } from './core/audit/prune-audit-log.js';
import { blobCleanupLoop } from './core/generations/blob-cleanup.js';
import { jobLoop } from './core/generations/job-loop.js';
import { announceExpiredLicenses } from './core/licenses/license-expiry.js';
import { deliveryLoop } from './core/webhooks/delivery-loop.js';
import { pruneWebhookLog } from './core/webhooks/prune-webhook-log.js';
import type { InsertSignals } from './db/insert-signals.js';
import { periodicLoop } from './lib/loop.js';
import { releaseSilentDevices } from './core/devices/release-devices.js';

const HOURLY = 3_600_000;

/** The background work a context owns, every piece one `Loop` (lib/loop.ts). */
export interface Workers {
  /** serve: every loop, and the runtime check's change feed, key filter and Redis push (else the first check starts those). */
  startServing(): void;
  /** `tollgate worker`: generation jobs and the removal of deleted generations' images only (no sweeper, no deliveries). */
  startJobs(): void;
  /** Stops every loop and waits for what they run; the context's close() calls it first. */
  stop(): Promise<void>;
}

export function createWorkers(ctx: Context, inserted: InsertSignals): Workers {
  const deliveries = deliveryLoop(ctx);
  const jobs = jobLoop(ctx);
  const cleanup = blobCleanupLoop(ctx);
  // Work committed by this process is taken at once; other processes' at the next poll.
  inserted.on('webhook_deliveries', deliveries.wake);
  inserted.on('generations', jobs.wake);
  inserted.on('generation_blob_deletions', cleanup.wake);
  const all = [
    periodicLoop(ctx.log, {
      name: 'license expiry sweep',
      everyMs: ctx.config.expirySweepSeconds * 1000,
      run: () => announceExpiredLicenses(ctx),
    }),
    // Seats of devices silent for two heartbeat intervals, on the expiry sweep's cadence.
    periodicLoop(ctx.log, {
      name: 'device release sweep',
      everyMs: ctx.config.expirySweepSeconds * 1000,
      run: () => releaseSilentDevices(ctx),
    }),
    deliveries,
    // Retention (AUDIT_RETENTION_DAYS, WEBHOOK_LOG_RETENTION_DAYS): at start, then hourly.
    periodicLoop(ctx.log, { name: 'audit log prune', everyMs: HOURLY, run: () => pruneAuditLog(ctx) }),
    periodicLoop(ctx.log, { name: 'webhook log prune', everyMs: HOURLY, run: () => pruneWebhookLog(ctx) }),
    jobs,
    cleanup,
  ];
  return {
    startServing() {
      void ctx.runtime.start();
      for (const loop of all) loop.start();
    },
    startJobs() {
      jobs.start();
      cleanup.start();
    },
    async stop() {
      await Promise.all(all.map((loop) => loop.stop()));
    },
  };
}
