import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { recordAudit } from '../audit/record-audit.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { getProject } from '../projects/get-project.js';
import type { GenerationCaller } from './create-generation.js';
import { queueBlobDeletions, removeHeldBlobs } from './blob-cleanup.js';
import { toGeneration, type Generation } from './generation.js';

type EndUser = Extract<GenerationCaller, { kind: 'end_user' }>;
type DeleteCtx = Pick<Context, 'db' | 'dialect' | 'clock' | 'config' | 'blobs' | 'log'>;

/** Which generations a change may touch: an end user's own in their project, or any of a project its developer owns. */
interface Scope {
  actor: Principal;
  projectId: string;
  ownerId: string;
  userId: string | null;
}

const endUserScope = (caller: EndUser): Scope => ({
  actor: caller,
  projectId: caller.projectId,
  ownerId: caller.ownerId,
  userId: caller.userId,
});

/** The developer's project (a foreign one is NotFound), for the console's gallery. */
async function projectScope(ctx: Pick<Context, 'db'>, principal: Principal, projectId: string): Promise<Scope> {
  const project = await getProject(ctx, principal, projectId);
  return { actor: principal, projectId: project.id, ownerId: project.ownerId, userId: null };
}

async function setPublic(
  ctx: Pick<Context, 'db' | 'clock'>,
  scope: Scope,
  id: string,
  isPublic: boolean,
): Promise<Generation> {
  if (!isUuid(id)) throw NotFound('generation');
  return ctx.db.transaction().execute(async (trx) => {
    let q = trx
      .updateTable('generations')
      .set({ is_public: isPublic, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .where('project_id', '=', scope.projectId);
    if (scope.userId !== null) q = q.where('user_id', '=', scope.userId);
    const row = await q.returningAll().executeTakeFirst();
    if (!row) throw NotFound('generation');
    await recordAudit(trx, ctx, scope.actor, {
      action: 'generation.updated',
      targetType: 'generation',
      targetId: row.id,
      projectId: scope.projectId,
      ownerId: scope.ownerId,
      changedFields: ['is_public'],
    });
    return toGeneration(row);
  });
}

/**
 * Deleting the row cancels its job: a worker still running it loses its lease, and its finish
 * (matched on the lease) writes nothing. The images are queued for deletion in the same
 * transaction as the row and its audit entry, and removed before the answer; if the store
 * fails (or the process dies), the cleanup loop removes them later. The quota unit stays
 * spent: the generation was accepted.
 */
async function remove(ctx: DeleteCtx, scope: Scope, id: string): Promise<void> {
  if (!isUuid(id)) throw NotFound('generation');
  await ctx.db.transaction().execute(async (trx) => {
    let mine = trx
      .selectFrom('generations')
      .select('id')
      .where('id', '=', id)
      .where('project_id', '=', scope.projectId);
    if (scope.userId !== null) mine = mine.where('user_id', '=', scope.userId);
    if (!(await mine.executeTakeFirst())) throw NotFound('generation');
    await queueBlobDeletions(trx, ctx, { generationId: id }, { held: true });
    // Deleted meanwhile by a concurrent request: that one answers 200, this one 404 (and its queue row is rolled back).
    const r = await trx.deleteFrom('generations').where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw NotFound('generation');
    await recordAudit(trx, ctx, scope.actor, {
      action: 'generation.deleted',
      targetType: 'generation',
      targetId: id,
      projectId: scope.projectId,
      ownerId: scope.ownerId,
    });
  });
  await removeHeldBlobs(ctx, id).catch((err: Error) =>
    ctx.log.warn(
      { err: err.message, generation: id },
      'could not delete generation images; the cleanup loop will retry',
    ),
  );
}

/** Makes one of the end user's generations public or private. */
export async function setGenerationPublic(
  ctx: Pick<Context, 'db' | 'clock'>,
  caller: EndUser,
  id: string,
  isPublic: boolean,
): Promise<Generation> {
  return setPublic(ctx, endUserScope(caller), id, isPublic);
}

/** Deletes one of the end user's generations and its images. */
export async function deleteGeneration(ctx: DeleteCtx, caller: EndUser, id: string): Promise<void> {
  return remove(ctx, endUserScope(caller), id);
}

/** The developer makes a generation of their project public or private (the console's gallery). */
export async function setProjectGenerationPublic(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  projectId: string,
  id: string,
  isPublic: boolean,
): Promise<Generation> {
  return setPublic(ctx, await projectScope(ctx, principal, projectId), id, isPublic);
}

/** The developer deletes a generation of their project and its images. */
export async function deleteProjectGeneration(
  ctx: DeleteCtx,
  principal: Principal,
  projectId: string,
  id: string,
): Promise<void> {
  return remove(ctx, await projectScope(ctx, principal, projectId), id);
}
