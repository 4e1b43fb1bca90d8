import type { Context } from '../../context.js';
import type { Stripe } from '../../lib/stripe.js';
import { toIso } from '../../lib/time.js';
import { DomainError, Invalid } from '../errors.js';
import type { Principal } from '../principal.js';
import { applySubscriptionState, type StateStamp } from './apply-subscription-state.js';
import { endUser } from './owned-project.js';
import { modeOf, secretKeyFor } from './stripe-config.js';
import { readSubscription, type StripeSubscriptionState } from './stripe-objects.js';
import { ACTIVE_STATUSES, type SubscriptionRow } from './subscription.js';
import { currentSubscription, customerOfUser } from './subscription-lookups.js';

type ManageCtx = Pick<Context, 'db' | 'keys' | 'clock' | 'stripe'>;

const noneTo = (what: string) =>
  new DomainError('not_found', 'no_active_subscription', `No active subscription to ${what}`);

async function activeSubscription(ctx: ManageCtx, principal: Principal, isTestMode: boolean, what: string) {
  const { userId, projectId } = endUser(principal);
  const secretKey = await secretKeyFor(ctx, projectId, modeOf(isTestMode));
  const row = await currentSubscription(ctx.db, projectId, userId, isTestMode);
  if (!row || !ACTIVE_STATUSES.includes(row.status)) throw noneTo(what);
  return { row, secretKey, projectId };
}

/**
 * The second Stripe answered, on its own clock (its `Date` header): the clock events are
 * stamped with, so that an event of the state before our change, which Stripe made no later
 * than its answer, counts as older. Our clock when Stripe sent no date.
 */
function answeredAt(ctx: Pick<Context, 'clock'>, sub: Stripe.Response<Stripe.Subscription>): StateStamp {
  const date = Date.parse(sub.lastResponse?.headers?.date ?? '');
  return { second: Math.floor((Number.isNaN(date) ? ctx.clock.now().getTime() : date) / 1000), answer: true };
}

/** What Stripe answered becomes the row's state as of that answer, so that no event of the state before it undoes it. */
async function keep(
  ctx: ManageCtx,
  row: SubscriptionRow,
  sub: Stripe.Response<Stripe.Subscription>,
): Promise<StripeSubscriptionState> {
  const owner = await ctx.db
    .selectFrom('projects')
    .select('owner_id')
    .where('id', '=', row.project_id)
    .executeTakeFirstOrThrow();
  const state = readSubscription(sub);
  await ctx.db
    .transaction()
    .execute((trx) =>
      applySubscriptionState(
        trx,
        ctx,
        { projectId: row.project_id, ownerId: owner.owner_id, isTestMode: Boolean(row.is_test_mode) },
        state,
        answeredAt(ctx, sub),
      ),
    );
  return state;
}

/** What Stripe made of a change we asked for: not what the row holds, which an event of the same moment may have moved. */
export interface SubscriptionChange {
  subscriptionId: string;
  status: string;
  priceId: string | null;
  /** When a cancellation at period end takes effect; null once canceled. */
  cancelAt: string | null;
  cancelledAt: string | null;
}

export async function cancelSubscription(
  ctx: ManageCtx,
  principal: Principal,
  input: { cancelImmediately: boolean; isTestMode: boolean },
): Promise<SubscriptionChange> {
  const { row, secretKey } = await activeSubscription(ctx, principal, input.isTestMode, 'cancel');
  const sub = await ctx.stripe.call(secretKey, (stripe, opts) =>
    input.cancelImmediately
      ? stripe.subscriptions.cancel(row.subscription_id, {}, opts())
      : stripe.subscriptions.update(row.subscription_id, { cancel_at_period_end: true }, opts()),
  );
  const state = await keep(ctx, row, sub);
  return {
    subscriptionId: state.id,
    status: state.status,
    priceId: state.priceId,
    cancelAt: state.status === 'canceled' ? null : toIso(state.cancelAt ?? state.periodEnd),
    cancelledAt: toIso(state.canceledAt ?? ctx.clock.now()),
  };
}

export async function updateSubscription(
  ctx: ManageCtx,
  principal: Principal,
  input: {
    newPriceId: string;
    prorationBehavior: 'create_prorations' | 'none' | 'always_invoice';
    isTestMode: boolean;
  },
): Promise<SubscriptionChange> {
  const { row, secretKey } = await activeSubscription(ctx, principal, input.isTestMode, 'update');
  const sub = await ctx.stripe.call(secretKey, async (stripe, opts) => {
    const current = await stripe.subscriptions.retrieve(row.subscription_id, {}, opts());
    const item = current.items?.data?.[0];
    if (!item)
      throw Invalid([
        { field: 'new_price_id', message: 'The subscription has no item to change', type: 'value_error' },
      ]);
    return stripe.subscriptions.update(
      row.subscription_id,
      { items: [{ id: item.id, price: input.newPriceId }], proration_behavior: input.prorationBehavior },
      opts(),
    );
  });
  const state = await keep(ctx, row, sub);
  return {
    subscriptionId: state.id,
    status: state.status,
    priceId: state.priceId,
    cancelAt: toIso(state.cancelAt),
    cancelledAt: toIso(state.canceledAt),
  };
}

/** A Stripe billing portal session for the end user's customer in that mode (404 before their first checkout). */
export async function createPortalSession(
  ctx: ManageCtx,
  principal: Principal,
  input: { returnUrl: string; isTestMode: boolean },
): Promise<{ portalUrl: string }> {
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
  return { portalUrl: session.url };
}
