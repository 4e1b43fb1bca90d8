import type { Context } from '../../context.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { deliverInjectable, type DeliveredInjectable } from './delivery.js';
import { findInjectableRow, toInjectable, type Injectable } from './injectable.js';

/** The injectable with its content in delivery form (encrypted and signed with its own secret). */
export async function getInjectable(
  ctx: Pick<Context, 'db' | 'keys'>,
  principal: Principal,
  projectId: string,
  injectableId: string,
): Promise<{ injectable: Injectable; delivered: DeliveredInjectable }> {
  const project = await projectInScope(ctx, principal, projectId);
  const row = await findInjectableRow(ctx.db, project.id, injectableId);
  return { injectable: toInjectable(row), delivered: deliverInjectable(ctx.keys.seal, row) };
}
