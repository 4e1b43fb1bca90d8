import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { NotFound } from '../errors.js';
import { projectInScope } from '../licenses/project-scope.js';
import type { Principal } from '../principal.js';
import { toAttempt, toDelivery, type Attempt, type Delivery } from './delivery.js';

/** One delivery of the project with its logged attempts, oldest first. */
export async function getDelivery(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  deliveryId: string,
): Promise<Delivery & { attemptLog: Attempt[] }> {
  const project = await projectInScope(ctx, principal, projectId);
  if (!isUuid(deliveryId)) throw NotFound('delivery');
  const row = await ctx.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).where('project_id', '=', project.id).executeTakeFirst();
  if (!row) throw NotFound('delivery');
  const attempts = await ctx.db.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', row.id).orderBy('attempted_at').orderBy('id').execute();
  return { ...toDelivery(row), attemptLog: attempts.map(toAttempt) };
}
