import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { NotFound } from '../errors.js';
import type { GenerationCaller } from './create-generation.js';
import { queueBlobDeletions, sweepBlobDeletions } from './blob-cleanup.js';
import { toGeneration, type Generation } from './generation.js';

type EndUser = Extract<GenerationCaller, { kind: 'end_user' }>;

/** Makes one of the end user's generations public or private. */
export async function setGenerationPublic(ctx: Pick<Context, 'db' | 'clock'>, caller: EndUser, id: string, isPublic: boolean): Promise<Generation> {
  if (!isUuid(id)) throw NotFound('generation');
  const row = await ctx.db
    .updateTable('generations')
    .set({ is_public: isPublic, updated_at: ctx.clock.now() })
    .where('id', '=', id)
    .where('user_id', '=', caller.userId)
    .where('project_id', '=', caller.projectId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw NotFound('generation');
  return toGeneration(row);
}

/**
 * Deletes one of the end user's generations and its images. Deleting the row cancels its job:
 * a worker still running it loses its lease, and its finish (matched on the lease) writes
 * nothing. The images are queued for deletion in the same transaction and removed before
 * the answer; if the store fails (or the process dies), the cleanup loop removes them later.
 * The quota unit stays spent: the generation was accepted.
 */
export async function deleteGeneration(ctx: Pick<Context, 'db' | 'dialect' | 'clock' | 'config' | 'blobs' | 'log'>, caller: EndUser, id: string): Promise<void> {
  if (!isUuid(id)) throw NotFound('generation');
  const deleted = await ctx.db.transaction().execute(async (trx) => {
    const mine = await trx
      .selectFrom('generations')
      .select('id')
      .where('id', '=', id)
      .where('user_id', '=', caller.userId)
      .where('project_id', '=', caller.projectId)
      .executeTakeFirst();
    if (!mine) return false;
    await queueBlobDeletions(trx, ctx, { generationId: id });
    // Deleted meanwhile by a concurrent request: that one answers 200, this one 404 (and its queue row is rolled back).
    const r = await trx.deleteFrom('generations').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw NotFound('generation');
    return true;
  });
  if (!deleted) throw NotFound('generation');
  await sweepBlobDeletions(ctx, [id]).catch((err: Error) => ctx.log.warn({ err: err.message, generation: id }, 'could not delete generation images; the cleanup loop will retry'));
}