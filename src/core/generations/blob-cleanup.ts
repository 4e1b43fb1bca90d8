import { sql, type Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import { blobKeys, type StoredImage } from './generation.js';

type CleanupCtx = Pick<Context, 'db' | 'clock' | 'config' | 'blobs' | 'log'>;

/** Rows one sweep takes: a project of thousands of generations goes in several short rounds. */
const BATCH = 100;
/** A taken row is left alone this long (its sweep is deleting it); a process that died mid-sweep gives it up so. */
const CLAIM_MS = 5 * 60_000;
/** The longest wait between retries of a store that keeps failing. */
const MAX_RETRY_MS = 3_600_000;

/**
 * Queues the images of generations about to be deleted: called in the transaction that
 * deletes them, before the delete. One INSERT … SELECT copies each generation's keys,
 * however many, so the deletion of the rows and the promise to delete their files commit
 * together (or not at all).
 */
export async function queueBlobDeletions(
  trx: Transaction<Database>,
  ctx: Pick<Context, 'dialect' | 'clock'>,
  which: { projectId: string } | { generationId: string },
): Promise<void> {
  // A parameter in a SELECT list has no type on PostgreSQL (it would be text): say it is a timestamp.
  const now = ctx.dialect === 'postgres' ? sql<Date>`${ctx.clock.now()}::timestamptz` : sql<Date>`${ctx.clock.now()}`;
  await trx
    .insertInto('generation_blob_deletions')
    .columns(['generation_id', 'example_images', 'result_key', 'attempts', 'due_at', 'created_at'])
    .expression((eb) => {
      const q = eb
        .selectFrom('generations')
        .select((s) => ['id', 'example_images', 'result_key', s.lit(0).as('attempts'), now.as('due_at'), now.as('created_at')]);
      return 'projectId' in which ? q.where('project_id', '=', which.projectId) : q.where('id', '=', which.generationId);
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * Deletes the queued images that are due (or only those of `generationIds`) and then their
 * rows; returns how many generations' images were removed. Rows are taken with a conditional
 * UPDATE, so two processes sweeping at once do not both work on one; a store that fails keeps
 * the row, retried with a doubling delay (GENERATION_RETRY_BASE_MS, at most an hour).
 */
export async function sweepBlobDeletions(ctx: CleanupCtx, generationIds?: string[]): Promise<number> {
  let removed = 0;
  for (;;) {
    const now = ctx.clock.now();
    let due = ctx.db.selectFrom('generation_blob_deletions').select('generation_id').where('due_at', '<=', now).orderBy('due_at').limit(BATCH);
    if (generationIds) {
      if (generationIds.length === 0) return removed;
      due = due.where('generation_id', 'in', generationIds);
    }
    const ids = (await due.execute()).map((r) => r.generation_id);
    if (ids.length === 0) return removed;
    const taken = await ctx.db
      .updateTable('generation_blob_deletions')
      .set((eb) => ({ due_at: new Date(now.getTime() + CLAIM_MS), attempts: eb('attempts', '+', 1) }))
      .where('generation_id', 'in', ids)
      .where('due_at', '<=', now)
      .returningAll()
      .execute();
    if (taken.length === 0) return removed;
    const keys = taken.flatMap((r) => blobKeys({ examples: JSON.parse(r.example_images) as StoredImage[], resultKey: r.result_key }));
    try {
      await ctx.blobs.delete(keys);
    } catch (err) {
      const attempts = Math.max(...taken.map((r) => Number(r.attempts)));
      const delay = Math.min(MAX_RETRY_MS, ctx.config.generations.retryBaseMs * 2 ** (attempts - 1));
      await ctx.db
        .updateTable('generation_blob_deletions')
        .set({ due_at: new Date(ctx.clock.now().getTime() + delay) })
        .where('generation_id', 'in', taken.map((r) => r.generation_id))
        .execute();
      ctx.log.warn({ err: (err as Error).message, generations: taken.length, retryInMs: delay }, 'could not delete the images of deleted generations; will retry');
      return removed;
    }
    await ctx.db.deleteFrom('generation_blob_deletions').where('generation_id', 'in', taken.map((r) => r.generation_id)).execute();
    removed += taken.length;
    if (generationIds) return removed;
  }
}

export interface BlobCleanup {
  /** Sweeps now and then every interval (serve and `tollgate worker`). */
  start(): void;
  /** Deletions were just queued here: sweep now rather than at the next interval (only once started). */
  wake(): void;
  stop(): Promise<void>;
}

/**
 * The loop that empties generation_blob_deletions: at start (rows a dead process left), when
 * woken by a delete in this process, and every 20 job polls (10 s by default, at most a
 * minute) for retries and for rows queued by other processes.
 */
export function blobCleanup(ctx: CleanupCtx): BlobCleanup {
  const everyMs = Math.min(60_000, ctx.config.generations.pollMs * 20);
  let started = false;
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;

  const sweep = (): void => {
    if (!started || stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = sweepBlobDeletions(ctx)
      .then(
        (n) => void (n > 0 && ctx.log.info({ generations: n }, 'images of deleted generations removed')),
        (err: unknown) => ctx.log.warn({ err: (err as Error).message }, 'cleaning up generation images failed; will retry'),
      )
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          sweep();
        }
      });
  };

  return {
    start() {
      if (started) return;
      started = true;
      sweep();
      timer = setInterval(sweep, everyMs);
      timer.unref();
    },
    wake: sweep,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      while (running) await running;
    },
  };
}
