import { sql, type Selectable, type Transaction } from 'kysely';
import type { Context } from '../../context.js';
import { claimLeased } from '../../db/claim-leased.js';
import type { GenerationBlobDeletionsTable } from '../../db/schema/generations.js';
import type { Database } from '../../db/schema/index.js';
import { periodicLoop, type Loop } from '../../lib/loop.js';
import { blobKeys, type StoredImage } from './generation.js';

type CleanupCtx = Pick<Context, 'db' | 'dialect' | 'clock' | 'config' | 'blobs' | 'log'>;

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
 * together (or not at all). The commit wakes this process's cleanup loop (workers.ts).
 *
 * `held`: the caller removes the images itself once committed (removeHeldBlobs), so the rows
 * are queued already claimed, as a sweep claims them: no loop takes them meanwhile, and if
 * the caller's process dies first, any loop takes them once the claim lapses.
 */
export async function queueBlobDeletions(
  trx: Transaction<Database>,
  ctx: Pick<Context, 'dialect' | 'clock'>,
  which: { projectId: string } | { generationId: string },
  { held = false } = {},
): Promise<void> {
  const now = ctx.clock.now();
  // A parameter in a SELECT list has no type on PostgreSQL (it would be text): say it is a timestamp.
  const at = (d: Date) => (ctx.dialect === 'postgres' ? sql<Date>`${d}::timestamptz` : sql<Date>`${d}`);
  await trx
    .insertInto('generation_blob_deletions')
    .columns(['generation_id', 'example_images', 'result_key', 'attempts', 'due_at', 'created_at'])
    .expression((eb) => {
      const q = eb
        .selectFrom('generations')
        .select((s) => [
          'id',
          'example_images',
          'result_key',
          s.lit(held ? 1 : 0).as('attempts'),
          at(held ? new Date(now.getTime() + CLAIM_MS) : now).as('due_at'),
          at(now).as('created_at'),
        ]);
      return 'projectId' in which
        ? q.where('project_id', '=', which.projectId)
        : q.where('id', '=', which.generationId);
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** Removes the images of a generation whose deletion the caller queued `held`, right after the commit. */
export async function removeHeldBlobs(ctx: CleanupCtx, generationId: string): Promise<void> {
  const held = await ctx.db
    .selectFrom('generation_blob_deletions')
    .selectAll()
    .where('generation_id', '=', generationId)
    .execute();
  await removeTaken(ctx, held);
}

type Queued = Selectable<GenerationBlobDeletionsTable>;

/** Deletes the images of rows this process holds, then the rows; returns false (rows kept, retried later) if the store failed. */
async function removeTaken(ctx: CleanupCtx, taken: Queued[]): Promise<boolean> {
  if (taken.length === 0) return true;
  const ids = taken.map((r) => r.generation_id);
  const keys = taken.flatMap((r) =>
    blobKeys({ examples: JSON.parse(r.example_images) as StoredImage[], resultKey: r.result_key }),
  );
  try {
    await ctx.blobs.delete(keys);
  } catch (err) {
    const attempts = Math.max(...taken.map((r) => Number(r.attempts)));
    const delay = Math.min(MAX_RETRY_MS, ctx.config.generations.retryBaseMs * 2 ** (attempts - 1));
    await ctx.db
      .updateTable('generation_blob_deletions')
      .set({ due_at: new Date(ctx.clock.now().getTime() + delay) })
      .where('generation_id', 'in', ids)
      .execute();
    ctx.log.warn(
      { err: (err as Error).message, generations: taken.length, retryInMs: delay },
      'could not delete the images of deleted generations; will retry',
    );
    return false;
  }
  await ctx.db.deleteFrom('generation_blob_deletions').where('generation_id', 'in', ids).execute();
  return true;
}

/**
 * Deletes the queued images that are due and then their rows; returns how many generations'
 * images were removed. Rows are claimed under a lease, so two processes sweeping at once do
 * not both work on one; a store that fails keeps the row, retried with a doubling delay
 * (GENERATION_RETRY_BASE_MS, at most an hour).
 */
export async function sweepBlobDeletions(ctx: CleanupCtx): Promise<number> {
  let removed = 0;
  for (;;) {
    const now = ctx.clock.now();
    const taken = await claimLeased(ctx, BATCH, {
      due: (db) =>
        db
          .selectFrom('generation_blob_deletions')
          .select('generation_id')
          .where('due_at', '<=', now)
          .orderBy('due_at')
          .limit(BATCH),
      // The lease is the due time moved past the sweep.
      take: (db, ids) =>
        db
          .updateTable('generation_blob_deletions')
          .set((eb) => ({ due_at: new Date(now.getTime() + CLAIM_MS), attempts: eb('attempts', '+', 1) }))
          .where('generation_id', 'in', ids)
          .where('due_at', '<=', now)
          .returningAll()
          .execute(),
    });
    if (taken.length === 0 || !(await removeTaken(ctx, taken))) return removed;
    removed += taken.length;
  }
}

/**
 * The loop that empties generation_blob_deletions: at start (rows a dead process left), when
 * this process commits new rows (a deleted project or generation), and every 20 job polls
 * (10 s by default, at most a minute) for retries and for rows queued by other processes.
 */
export function blobCleanupLoop(ctx: CleanupCtx): Loop {
  return periodicLoop(ctx.log, {
    name: 'image cleanup of deleted generations',
    everyMs: Math.min(60_000, ctx.config.generations.pollMs * 20),
    run: () => sweepBlobDeletions(ctx),
  });
}
