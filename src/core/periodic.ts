import type { Context } from '../context.js';

export interface PeriodicTask {
  /** What one run does, for the log: "audit prune", "license expiry sweep". */
  name: string;
  everyMs: number;
  /** One run; returns how many rows it handled (logged when not zero). */
  run: () => Promise<number>;
}

/**
 * The background mechanism of a serving process's housekeeping (expiry announcements,
 * retention pruning): runs the task at once (work that fell due while no server ran) and
 * then every `everyMs` until the context closes, never twice at once in this process, and
 * waits for a run in progress on close. A failed run is logged and the next one tries again:
 * each task keeps its state in the database, so several processes running it at once is
 * harmless.
 */
export function startPeriodic(ctx: Pick<Context, 'log' | 'onClose'>, task: PeriodicTask): void {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = task
      .run()
      .then(
        (n) => void (n > 0 && ctx.log.info({ task: task.name, rows: n }, `${task.name}: ${n} rows`)),
        (err: unknown) => ctx.log.warn({ task: task.name, err: (err as Error).message }, `${task.name} failed; will retry`),
      )
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, task.everyMs);
  timer.unref();
  ctx.onClose(async () => {
    clearInterval(timer);
    await running;
  });
}

/**
 * Repeats `step` (which handles at most `batch` rows and returns how many) until a step
 * comes back short, and returns the total: each step is its own short statement or
 * transaction, so a large backlog never holds a long write (SQLite has one writer).
 */
export async function inBatches(batch: number, step: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step(batch);
    total += n;
    if (n < batch) return total;
  }
}

/** The instant `days` days before now. */
export function daysAgo(ctx: Pick<Context, 'clock'>, days: number): Date {
  return new Date(ctx.clock.now().getTime() - days * 86_400_000);
}
