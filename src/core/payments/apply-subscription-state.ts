import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import { recordEvent } from '../events/record-event.js';
import type { PaymentScope, Trx } from './payment-scope.js';
import type { StripeSubscriptionState } from './stripe-objects.js';
import type { SubscriptionRow } from './subscription.js';
import { endUserOfProject, findSubscription, userOfCustomer } from './subscription-lookups.js';

/**
 * When a state of a subscription was Stripe's word, on Stripe's clock: the `created` second of
 * an event, or the second Stripe answered one of our own calls. Seconds tie often, and an
 * event stamped with the second of our change may well show the state before it: within one
 * second an answer is newer than every event, and events go in the order they are applied.
 */
export interface StateStamp {
  second: number;
  answer: boolean;
}
export const eventStamp = (created: number): StateStamp => ({ second: created, answer: false });

function isOlder(stamp: StateStamp, row: SubscriptionRow): boolean {
  if (row.state_event_at === null) return false;
  const held = Number(row.state_event_at);
  return stamp.second < held || (stamp.second === held && !stamp.answer && Boolean(row.state_from_answer));
}

/**
 * Applies what Stripe says a subscription is, as of `stamp`. A state older than the one held
 * only fills blanks; a canceled subscription stays canceled (Stripe never revives one). Events
 * for our webhooks are recorded on the transitions, in the same transaction.
 */
export async function applySubscriptionState(
  trx: Trx,
  ctx: Pick<Context, 'clock'>,
  scope: PaymentScope,
  sub: StripeSubscriptionState,
  stamp: StateStamp,
): Promise<SubscriptionRow> {
  const now = ctx.clock.now();
  const existing = await findSubscription(trx, scope, sub.id);
  if (!existing) {
    const userId =
      (await endUserOfProject(trx, scope.projectId, sub.userId)) ?? (await userOfCustomer(trx, scope, sub.customer));
    const row = {
      id: uuidv7(now.getTime()),
      project_id: scope.projectId,
      user_id: userId,
      is_test_mode: scope.isTestMode,
      subscription_id: sub.id,
      customer_id: sub.customer,
      status: sub.status,
      price_id: sub.priceId,
      plan_name: sub.planName,
      quantity: sub.quantity,
      current_period_start: sub.periodStart,
      current_period_end: sub.periodEnd,
      cancel_at: sub.cancelAt,
      cancelled_at: sub.canceledAt,
      state_event_at: stamp.second,
      state_from_answer: stamp.answer,
      created_at: now,
      updated_at: null,
    };
    const inserted = await trx
      .insertInto('stripe_subscriptions')
      .values(row)
      .onConflict((oc) => oc.columns(['project_id', 'is_test_mode', 'subscription_id']).doNothing())
      .executeTakeFirst();
    // Another event of this subscription (racing in another transaction) created it first: ours is an update of it.
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0)
      return applySubscriptionState(trx, ctx, scope, sub, stamp);
    await announce(
      trx,
      ctx,
      scope,
      sub.status === 'canceled' ? 'subscription.canceled' : 'subscription.created',
      row.id,
      sub,
    );
    return (await findSubscription(trx, scope, sub.id))!;
  }

  // Cancellation is final on Stripe: it applies whenever it arrives, and nothing undoes it.
  const ending = sub.status === 'canceled' && existing.status !== 'canceled';
  const older = isOlder(stamp, existing);
  const frozen = existing.status === 'canceled';
  if (!ending && (older || frozen)) {
    // Not the newest word on this subscription: keep its state, take only what it lacks.
    await trx
      .updateTable('stripe_subscriptions')
      .set({
        customer_id: existing.customer_id ?? sub.customer,
        price_id: existing.price_id ?? sub.priceId,
        plan_name: existing.plan_name ?? sub.planName,
        current_period_start: existing.current_period_start ?? sub.periodStart,
        current_period_end: existing.current_period_end ?? sub.periodEnd,
      })
      .where('id', '=', existing.id)
      .execute();
    return (await findSubscription(trx, scope, sub.id))!;
  }
  const userId =
    existing.user_id ??
    (await endUserOfProject(trx, scope.projectId, sub.userId)) ??
    (await userOfCustomer(trx, scope, sub.customer));
  await trx
    .updateTable('stripe_subscriptions')
    .set({
      user_id: userId,
      customer_id: sub.customer ?? existing.customer_id,
      status: sub.status,
      price_id: sub.priceId ?? existing.price_id,
      plan_name: sub.planName ?? existing.plan_name,
      quantity: sub.quantity,
      current_period_start: sub.periodStart ?? existing.current_period_start,
      current_period_end: sub.periodEnd ?? existing.current_period_end,
      cancel_at: sub.cancelAt,
      cancelled_at:
        sub.canceledAt ?? (sub.status === 'canceled' ? (existing.cancelled_at ?? now) : existing.cancelled_at),
      // A cancellation older than the state held ends it but does not make that state any older.
      ...(older ? {} : { state_event_at: stamp.second, state_from_answer: stamp.answer }),
      updated_at: now,
    })
    .where('id', '=', existing.id)
    .execute();
  const changed =
    existing.status !== sub.status ||
    (sub.priceId !== null && existing.price_id !== sub.priceId) ||
    existing.quantity !== sub.quantity ||
    toIso(existing.cancel_at) !== toIso(sub.cancelAt);
  if (changed)
    await announce(
      trx,
      ctx,
      scope,
      sub.status === 'canceled' && existing.status !== 'canceled' ? 'subscription.canceled' : 'subscription.updated',
      existing.id,
      sub,
    );
  return (await findSubscription(trx, scope, sub.id))!;
}

/** Sets only the status (invoice events), under the same ordering rule. */
export async function applySubscriptionStatus(
  trx: Trx,
  ctx: Pick<Context, 'clock'>,
  scope: PaymentScope,
  existing: SubscriptionRow,
  status: string,
  from: string[],
  stamp: StateStamp,
): Promise<void> {
  if (!from.includes(existing.status) || isOlder(stamp, existing)) return;
  await trx
    .updateTable('stripe_subscriptions')
    .set({ status, state_event_at: stamp.second, state_from_answer: stamp.answer, updated_at: ctx.clock.now() })
    .where('id', '=', existing.id)
    .execute();
  await announce(trx, ctx, scope, 'subscription.updated', existing.id, { id: existing.subscription_id, status });
}

async function announce(
  trx: Trx,
  ctx: Pick<Context, 'clock'>,
  scope: PaymentScope,
  type: 'subscription.created' | 'subscription.updated' | 'subscription.canceled',
  rowId: string,
  sub: { id: string; status: string; priceId?: string | null },
): Promise<void> {
  await recordEvent(trx, ctx, {
    ownerId: scope.ownerId,
    projectId: scope.projectId,
    type,
    data: {
      id: rowId,
      subscription_id: sub.id,
      status: sub.status,
      price_id: sub.priceId ?? null,
      is_test_mode: scope.isTestMode,
    },
  });
}
