import type { Context } from '../../context.js';
import { recordAudit } from '../audit/record-audit.js';
import { injectableData } from '../events/event-data.js';
import { recordEvent } from '../events/record-event.js';
import { projectInScope } from '../licenses/project-scope.js';
import type { Principal } from '../principal.js';
import { findInjectableRow, toInjectable } from './injectable.js';

export async function deleteInjectable(ctx: Pick<Context, 'db' | 'clock'>, principal: Principal, projectId: string, injectableId: string): Promise<void> {
  const project = await projectInScope(ctx, principal, projectId);
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findInjectableRow(trx, project.id, injectableId);
    await trx.deleteFrom('injectables').where('id', '=', row.id).where('project_id', '=', project.id).execute();
    await recordEvent(trx, ctx, { ownerId: project.ownerId, projectId: project.id, type: 'injectable.deleted', data: injectableData(toInjectable(row)) });
    await recordAudit(trx, ctx, principal, { action: 'injectable.deleted', targetType: 'injectable', targetId: row.id, projectId: project.id, ownerId: project.ownerId });
  });
}
