import type { Context } from '../../context.js';
import { Forbidden } from '../errors.js';
import { queueBlobDeletions } from '../generations/blob-cleanup.js';
import { projectData } from '../events/event-data.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import type { Principal } from '../principal.js';
import { getProject } from './get-project.js';
import { recordChange } from '../events/record-change.js';

/**
 * Removes the project and everything under it in one transaction. Keys, licenses, domains,
 * injectables and generations go by foreign-key cascade; end users are deleted explicitly
 * because SQLite cannot add that foreign key after the fact. The generations' images are
 * queued for deletion in the same transaction and removed from the blob store after it, in
 * the background (a project may hold thousands): by this process's cleanup loop, which the
 * commit of the queued rows wakes, or if it dies first, by any other's.
 */
export async function deleteProject(
  ctx: Pick<Context, 'db' | 'dialect' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
): Promise<void> {
  if (principal.kind === 'end_user') throw Forbidden('insufficient', 'Insufficient permissions');
  const project = await getProject(ctx, principal, projectId);
  await ctx.db.transaction().execute(async (trx) => {
    // Recorded before the row goes: its delivery copies the endpoint from it.
    await recordChange(trx, ctx, principal, {
      type: 'project.deleted',
      project,
      target: { type: 'project', id: project.id },
      data: projectData(project),
    });
    await queueBlobDeletions(trx, ctx, { projectId: project.id });
    await trx.deleteFrom('users').where('project_id', '=', project.id).where('role', '=', 'end_user').execute();
    await trx.deleteFrom('projects').where('id', '=', project.id).where('owner_id', '=', project.ownerId).execute();
    await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: null });
  });
}
