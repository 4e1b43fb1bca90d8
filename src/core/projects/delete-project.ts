import type { Context } from '../../context.js';
import { Forbidden } from '../errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { projectData } from '../events/event-data.js';
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
    // Recorded before the row goes: its delivery copies the endpoint from it.
    await recordEvent(trx, ctx, { ownerId: project.ownerId, projectId: project.id, type: 'project.deleted', data: projectData(project) });
    await recordAudit(trx, ctx, principal, { action: 'project.deleted', targetType: 'project', targetId: project.id, projectId: project.id, ownerId: project.ownerId });
    await trx.deleteFrom('users').where('project_id', '=', project.id).where('role', '=', 'end_user').execute();
    await trx.deleteFrom('projects').where('id', '=', project.id).where('owner_id', '=', project.ownerId).execute();
    await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: null });
  });
}
