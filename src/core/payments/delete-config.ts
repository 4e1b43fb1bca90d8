import type { Context } from '../../context.js';
import { recordAudit } from '../audit/record-audit.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { ownedProject } from './owned-project.js';

/** Deactivates the configuration; its subscriptions and payments stay. No configuration at all is 404. */
export async function deleteStripeConfig(
  ctx: Pick<Context, 'db' | 'clock'>,
  principal: Principal,
  projectId: string,
): Promise<void> {
  const project = await ownedProject(ctx, principal, projectId);
  await ctx.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('stripe_configs')
      .set({ is_active: false, updated_at: ctx.clock.now() })
      .where('project_id', '=', project.id)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw NotFound('stripe_configuration');
    await recordAudit(trx, ctx, principal, {
      action: 'stripe_config.deactivated',
      targetType: 'stripe_config',
      targetId: project.id,
      projectId: project.id,
      ownerId: project.ownerId,
      changedFields: ['is_active'],
    });
  });
}
