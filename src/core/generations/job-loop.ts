import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { leasedLoop, type Loop } from '../../lib/loop.js';
import { claimJob } from './claim-job.js';
import { runJob } from './run-job.js';

/**
 * The generation job loop: claims due jobs while fewer than GENERATION_CONCURRENCY run in this
 * process (each claim takes one: the per-developer slots are counted per job), polls every
 * GENERATION_POLL_MS, and is woken when this process commits a new generation. Stopping hands
 * running jobs back as pending (run-job.ts).
 */
export function jobLoop(
  ctx: Pick<Context, 'db' | 'dialect' | 'clock' | 'config' | 'blobs' | 'provider' | 'log'>,
): Loop {
  return leasedLoop(ctx.log, {
    name: 'generation job',
    capacity: ctx.config.generations.concurrency,
    pollMs: ctx.config.generations.pollMs,
    batch: 1,
    // A fresh token per claim: only the claim that holds it may finish the job, even in this process.
    claim: async () => {
      const job = await claimJob(ctx, uuidv7());
      return job ? [job] : [];
    },
    run: (job, _owner, stopping) => runJob(ctx, job, stopping),
  });
}
