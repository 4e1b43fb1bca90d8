import type { Context } from '../../context.js';
import { NotFound } from '../errors.js';
import type { Principal } from '../principal.js';
import { endUser } from './owned-project.js';
import { CURRENT_STATUSES, toSubscriptionView, type SubscriptionRow, type SubscriptionView } from './subscription.js';

/** The end user's current subscription in a mode (the newest one not ended), as a row. */
export async function currentSubscription(ctx: Pick<Context, 'db'>, projectId: string, userId: string, isTestMode: boolean): Promise<SubscriptionRow | undefined> {
  return ctx.db
    .selectFrom('stripe_subscriptions')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .where('is_test_mode', '=', isTestMode)
    .where('status', 'in', CURRENT_STATUSES)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** The calling end user's current subscription, or null: reads need no active Stripe configuration. */
export async function getMySubscription(ctx: Pick<Context, 'db'>, principal: Principal, isTestMode: boolean): Promise<SubscriptionView | null> {
  const { userId, projectId } = endUser(principal);
  const row = await currentSubscription(ctx, projectId, userId, isTestMode);
  return row ? toSubscriptionView(row) : null;
}

export const noSubscription = () => NotFound('active_subscription');
