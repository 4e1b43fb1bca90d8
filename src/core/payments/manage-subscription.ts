import type { Context } from '../../context.js';
import type { Stripe } from '../../lib/stripe.js';
import { DomainError, Invalid } from '../errors.js';
import type { Principal } from '../principal.js';
import { currentSubscription } from './my-subscription.js';
import { endUser } from './owned-project.js';
import { modeOf, secretKeyFor } from './stripe-config.js';
import { ACTIVE_STATUSES, applySubscriptionState, customerOfUser, readSubscription, type SubscriptionRow } from './subscription.js';

type ManageCtx = Pick<Context, 'db' | 'keys' | 'clock' | 'stripe'>;

const noneTo = (what: string) => new DomainError('not_found', 'no_active_subscription', `No active subscription to ${what}`);

async function activeSubscription(ctx: ManageCtx, principal: Principal, isTestMode: boolean, what: string) {
  const { userId, projectId } = endUser(principal);
  const secretKey = await secretKeyFor(ctx, projectId, modeOf(isTestMode));
  const row = await currentSubscription(ctx, projectId, userId, isTestMode);
  if (!row || !ACTIVE_STATUSES.includes(row.status)) throw noneTo(what);
  return { row, secretKey, projectId };
}

/**
 * What Stripe answered becomes the row's state as of the moment we asked, under the same
 * ordering rule as webhooks, so an older event arriving afterwards does not undo it.
 */
async function keep(ctx: ManageCtx, row: SubscriptionRow, sub: Stripe.Subscription, askedAt: number): Promise<SubscriptionRow> {
  const owner = await ctx.db.selectFrom('projects').select('owner_id').where('id', '=', row.project_id).executeTakeFirstOrThrow();
  return ctx.db.transaction().execute((trx) =>
    applySubscriptionState(
      trx,
      ctx,
      { projectId: row.project_id, ownerId: owner.owner_id, isTestMode: Boolean(row.is_test_mode) },
      readSubscription(sub as unknown as Record<string, any>),
      askedAt,
    ),
  );
}

const nowSeconds = (ctx: Pick<Context, 'clock'>) => Math.floor(ctx.clock.now().getTime() / 1000);

export async function cancelSubscription(ctx: ManageCtx, principal: Principal, input: { cancelImmediately: boolean; isTestMode: boolean }) {
  const { row, secretKey } = await activeSubscription(ctx, principal, input.isTestMode, 'cancel');
  const askedAt = nowSeconds(ctx);
  const sub = await ctx.stripe.call(secretKey, (stripe, opts) =>
    input.cancelImmediately
      ? stripe.subscriptions.cancel(row.subscription_id, {}, opts())
      : stripe.subscriptions.update(row.subscription_id, { cancel_at_period_end: true }, opts()),
  );
  const kept = await keep(ctx, row, sub, askedAt);
  const cancelledAt = kept.cancelled_at ?? ctx.clock.now();
  return {
    subscription_id: kept.subscription_id,
    status: kept.status,
    cancel_at: kept.status === 'canceled' ? null : (kept.cancel_at ?? kept.current_period_end),
    cancelled_at: cancelledAt,
    message: kept.status === 'canceled'
      ? 'Subscription has been canceled immediately.'
      : 'Subscription will be canceled at the end of the current billing period.',
  };
}

export async function updateSubscription(
  ctx: ManageCtx,
  principal: Principal,
  input: { newPriceId: string; prorationBehavior: 'create_prorations' | 'none' | 'always_invoice'; isTestMode: boolean },
) {
  const { row, secretKey } = await activeSubscription(ctx, principal, input.isTestMode, 'update');
  const askedAt = nowSeconds(ctx);
  const sub = await ctx.stripe.call(secretKey, async (stripe, opts) => {
    const current = await stripe.subscriptions.retrieve(row.subscription_id, {}, opts());
    const item = current.items?.data?.[0];
    if (!item) throw Invalid([{ field: 'new_price_id', message: 'The subscription has no item to change', type: 'value_error' }]);
    return stripe.subscriptions.update(
      row.subscription_id,
      { items: [{ id: item.id, price: input.newPriceId }], proration_behavior: input.prorationBehavior },
      opts(),
    );
  });
  const kept = await keep(ctx, row, sub, askedAt);
  return {
    subscription_id: kept.subscription_id,
    status: kept.status,
    price_id: kept.price_id ?? input.newPriceId,
    message: 'Subscription updated to new plan successfully.',
  };
}

/** A Stripe billing portal session for the end user's customer in that mode (404 before their first checkout). */
export async function createPortalSession(ctx: ManageCtx, principal: Principal, input: { returnUrl: string; isTestMode: boolean }) {
  const { userId, projectId } = endUser(principal);
  try {
    const u = new URL(input.returnUrl);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error();
  } catch {
    throw Invalid([{ field: 'return_url', message: 'return_url must be an http(s) URL', type: 'value_error.url' }]);
  }
  const secretKey = await secretKeyFor(ctx, projectId, modeOf(input.isTestMode));
  const customer = await customerOfUser(ctx.db, projectId, userId, input.isTestMode);
  if (!customer) throw new DomainError('not_found', 'no_stripe_customer', 'No Stripe customer found for user');
  const session = await ctx.stripe.call(secretKey, (stripe, opts) =>
    stripe.billingPortal.sessions.create({ customer, return_url: input.returnUrl }, opts()),
  );
  return { portal_url: session.url };
}
