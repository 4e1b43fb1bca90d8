import type { Context } from '../../context.js';
import { projectInScope } from '../licenses/project-scope.js';
import type { Principal } from '../principal.js';
import { findInjectableRow } from './injectable.js';

export async function deleteInjectable(ctx: Pick<Context, 'db'>, principal: Principal, projectId: string, injectableId: string): Promise<void> {
  const project = await projectInScope(ctx, principal, projectId);
  const row = await findInjectableRow(ctx.db, project.id, injectableId);
  await ctx.db.deleteFrom('injectables').where('id', '=', row.id).where('project_id', '=', project.id).execute();
}
