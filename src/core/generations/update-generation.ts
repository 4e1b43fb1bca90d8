import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { NotFound } from '../errors.js';
import type { GenerationCaller } from './create-generation.js';
import { blobKeys, toGeneration, type Generation } from './generation.js';

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
 * nothing. The quota unit stays spent: the generation was accepted.
 */
export async function deleteGeneration(ctx: Pick<Context, 'db' | 'blobs' | 'log'>, caller: EndUser, id: string): Promise<void> {
  if (!isUuid(id)) throw NotFound('generation');
  const row = await ctx.db
    .deleteFrom('generations')
    .where('id', '=', id)
    .where('user_id', '=', caller.userId)
    .where('project_id', '=', caller.projectId)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw NotFound('generation');
  await ctx.blobs.delete(blobKeys(toGeneration(row))).catch((err: Error) => ctx.log.warn({ err: err.message, generation: id }, 'could not delete generation images'));
}
