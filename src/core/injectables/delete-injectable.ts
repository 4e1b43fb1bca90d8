import type { Context } from '../../context.js';
import { injectableData } from '../events/event-data.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { findInjectableRow, toInjectable } from './injectable.js';
import { recordChange } from '../events/record-change.js';

export async function deleteInjectable(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  projectId: string,
  injectableId: string,
): Promise<void> {
  const project = await projectInScope(ctx, principal, projectId);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findInjectableRow(trx, project.id, injectableId);
    await trx.deleteFrom('injectables').where('id', '=', row.id).where('project_id', '=', project.id).execute();
    await recordChange(trx, ctx, principal, {
      type: 'injectable.deleted',
      project,
      target: { type: 'injectable', id: row.id },
      data: injectableData(toInjectable(row)),
    });
  });
}
