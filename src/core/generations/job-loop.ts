import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { claimJob } from './claim-job.js';
import { runJob } from './run-job.js';

export interface GenerationJobs {
  /** Begins claiming jobs (serve and `tollgate worker`; other commands never start it). */
  start(): void;
  /** A job was just written here: look now rather than at the next poll. */
  wake(): void;
  /** Stops claiming; running jobs are aborted and handed back as pending. */
  stop(): Promise<void>;
  /** Jobs this process is running now. */
  readonly running: number;
}

type LoopCtx = Pick<Context, 'db' | 'dialect' | 'clock' | 'config' | 'blobs' | 'provider' | 'log'>;

/**
 * The one loop for generation jobs: it claims due jobs while fewer than
 * GENERATION_CONCURRENCY run in this process, polls every GENERATION_POLL_MS otherwise,
 * and is woken at once by a create in this process.
 */
export function generationJobs(ctx: LoopCtx): GenerationJobs {
  const limit = ctx.config.generations.concurrency;
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let started = false;
  let timer: NodeJS.Timeout | null = null;
  let filling = false;
  let again = false;

  const schedule = (ms: number) => {
    if (stopping.signal.aborted) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void fill(), ms);
    timer.unref();
  };

  async function fill(): Promise<void> {
    if (!started || stopping.signal.aborted) return;
    if (filling) {
      again = true;
      return;
    }
    filling = true;
    try {
      do {
        again = false;
        while (inFlight.size < limit && !stopping.signal.aborted) {
          const job = await claimJob(ctx, uuidv7());
          if (!job) break;
          const p: Promise<void> = runJob(ctx, job, stopping.signal)
            .catch((err: unknown) => ctx.log.error({ err, generation: job.id }, 'generation job crashed'))
            .finally(() => {
              inFlight.delete(p);
              // A slot freed (here, and maybe for the developer): look for the next job now.
              void fill();
            });
          inFlight.add(p);
        }
      } while (again);
    } catch (err) {
      if (!stopping.signal.aborted) ctx.log.warn({ err: (err as Error).message }, 'claiming generation jobs failed; retrying');
    } finally {
      filling = false;
      schedule(ctx.config.generations.pollMs);
    }
  }

  return {
    start() {
      if (started || limit === 0) return;
      started = true;
      void fill();
    },
    wake() {
      if (started) void fill();
    },
    async stop() {
      stopping.abort();
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
      // A claim already in progress may have just added one more.
      while (filling) await new Promise((r) => setTimeout(r, 5));
      await Promise.allSettled([...inFlight]);
    },
    get running() {
      return inFlight.size;
    },
  };
}
