import type { Context } from '../../context.js';
import { Forbidden } from '../errors.js';
import { recordEvent } from '../events/record-event.js';
import { noteRuntimeChange } from '../licenses/runtime-changes.js';
import type { Principal } from '../principal.js';
import { getProject } from './get-project.js';

/**
 * Removes the project and everything under it in one transaction. Keys, licenses, domains
 * and injectables go by foreign-key cascade; end users are deleted explicitly because
 * SQLite cannot add that foreign key after the fact.
 */
export async function deleteProject(ctx: Pick<Context, 'db' | 'clock' | 'runtime'>, principal: Principal, projectId: string): Promise<void> {
  if (principal.kind === 'end_user') throw Forbidden('insufficient', 'Insufficient permissions');
  const project = await getProject(ctx, principal, projectId);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('users').where('project_id', '=', project.id).where('role', '=', 'end_user').execute();
    await trx.deleteFrom('projects').where('id', '=', project.id).where('owner_id', '=', project.ownerId).execute();
    await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: null });
    await recordEvent(trx, ctx, {
      ownerId: project.ownerId,
      projectId: project.id,
      type: 'project.deleted',
      payload: { project_id: project.id, name: project.name },
    });
  });
}
