import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { toProject, type Project } from './project.js';

/**
 * The project with this id if the principal may see it. Tenant scope is in the WHERE:
 * a foreign or unknown id is NotFound either way, so existence does not leak.
 */
export async function getProject(ctx: Pick<Context, 'db'>, principal: Principal, projectId: string): Promise<Project> {
  if (!isUuid(projectId)) throw NotFound('project');
  let q = ctx.db.selectFrom('projects').selectAll().where('id', '=', projectId);
  switch (principal.kind) {
    case 'operator':
      break;
    case 'developer':
      q = q.where('owner_id', '=', principal.userId);
      break;
    case 'project_key':
      q = q.where('owner_id', '=', principal.userId).where('id', '=', principal.projectId);
      break;
    case 'end_user':
      q = q.where('id', '=', principal.projectId);
      break;
  }
  const row = await q.executeTakeFirst();
  if (!row) throw NotFound('project');
  return toProject(row);
}
