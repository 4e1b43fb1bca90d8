import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { NotFound } from '../errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { toDelivery, type Delivery } from './delivery.js';

/**
 * Queues a new attempt of the same event now (same `webhook-id`). A delivery whose attempt is
 * in flight keeps its lease; its next attempt is then due at once.
 */
export async function resendDelivery(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  projectId: string,
  deliveryId: string,
): Promise<Delivery> {
  const project = await projectInScope(ctx, principal, projectId);
  if (!isUuid(deliveryId)) throw NotFound('delivery');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: now })
      .where('id', '=', deliveryId)
      .where('project_id', '=', project.id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw NotFound('delivery');
    await recordAudit(trx, ctx, principal, {
      action: 'webhook_delivery.resent',
      targetType: 'webhook_delivery',
      targetId: row.id,
      projectId: project.id,
      ownerId: project.ownerId,
    });
    return toDelivery(row);
  });
}
