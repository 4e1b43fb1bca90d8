import type { Context } from '../../context.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { ownedProject } from './owned-project.js';

/** Deactivates the configuration; its subscriptions and payments stay. No configuration at all is 404. */
export async function deleteStripeConfig(ctx: Pick<Context, 'db' | 'clock'>, principal: Principal, projectId: string): Promise<void> {
  const project = await ownedProject(ctx, principal, projectId);
  const res = await ctx.db
    .updateTable('stripe_configs')
    .set({ is_active: false, updated_at: ctx.clock.now() })
    .where('project_id', '=', project.id)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw NotFound('stripe_configuration');
}
