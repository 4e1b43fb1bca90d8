import type { Context } from '../../context.js';
import type { Principal } from '../principal.js';
import { ownedProject } from './owned-project.js';
import { toStripeConfig, type StripeConfig } from './stripe-config.js';

/** The project's Stripe configuration, masked, or null when it has none (deactivated ones are shown with is_active false). */
export async function getStripeConfig(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
): Promise<StripeConfig | null> {
  const project = await ownedProject(ctx, principal, projectId);
  const row = await ctx.db
    .selectFrom('stripe_configs')
    .selectAll()
    .where('project_id', '=', project.id)
    .executeTakeFirst();
  return row ? toStripeConfig(row) : null;
}
