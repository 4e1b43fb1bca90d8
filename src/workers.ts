import type { Context } from './context.js';
import { startExpirySweeper } from './core/licenses/license-expiry.js';

/**
 * The background work of a serving process (the command-line tools do not run it). Each
 * worker stops when the context closes. The runtime change feed is not here: the snapshot
 * store starts it on the first runtime check.
 */
export function startWorkers(ctx: Context): void {
  startExpirySweeper(ctx, ctx.config.expirySweepSeconds * 1000);
  ctx.generationJobs.start();
}

/** `tollgate worker`: a process that only runs generation jobs (no HTTP, no sweeper). */
export function startJobWorkers(ctx: Context): void {
  ctx.generationJobs.start();
}
