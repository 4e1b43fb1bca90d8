import type { Context } from '../context.js';

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
