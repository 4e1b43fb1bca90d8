import type { Context } from '../../context.js';
import type { Principal } from '../principal.js';
import { endUser } from './owned-project.js';
import { toSubscription, type Subscription } from './subscription.js';
import { currentSubscription } from './subscription-lookups.js';

/** The calling end user's current subscription, or null: reads need no active Stripe configuration. */
export async function getMySubscription(
  ctx: Pick<Context, 'db'>,
  principal: Principal,
  isTestMode: boolean,
): Promise<Subscription | null> {
  const { userId, projectId } = endUser(principal);
  const row = await currentSubscription(ctx.db, projectId, userId, isTestMode);
  return row ? toSubscription(row) : null;
}
