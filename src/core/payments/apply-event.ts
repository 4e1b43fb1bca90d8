import type { Context } from '../../context.js';
import { uuidv7 } from '../../lib/ids.js';
import type { Stripe } from '../../lib/stripe.js';
import { applyPayment } from './apply-payment.js';
import {
  applySubscriptionState,
  applySubscriptionStatus,
  eventStamp,
  type StateStamp,
} from './apply-subscription-state.js';
import type { PaymentScope, Trx } from './payment-scope.js';
import {
  readCheckoutSession,
  readInvoice,
  readSubscription,
  str,
  type CheckoutSessionObject,
  type InvoiceObject,
  type SubscriptionObject,
} from './stripe-objects.js';
import { endUserOfProject, findSubscription, userOfCustomer } from './subscription-lookups.js';

/** The effect of one verified Stripe event, inside the transaction that claimed its id. Other types are kept as seen only. */
export async function applyStripeEvent(
  trx: Trx,
  ctx: Pick<Context, 'clock'>,
  scope: PaymentScope,
  event: Stripe.Event,
): Promise<void> {
  const stamp = eventStamp(event.created);
  switch (event.type) {
    case 'checkout.session.completed':
      return checkoutCompleted(trx, ctx, scope, event.data.object, stamp);
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const obj: SubscriptionObject = event.data.object;
      const id = str(obj.id);
      if (!id) return;
      const state = readSubscription({ ...obj, id });
      // A deletion is final whatever status its snapshot carries.
      if (event.type === 'customer.subscription.deleted') state.status = 'canceled';
      await applySubscriptionState(trx, ctx, scope, state, stamp);
      return;
    }
    case 'invoice.paid':
    case 'invoice.payment_succeeded':
    case 'invoice.payment_failed':
      return invoiceOutcome(trx, ctx, scope, event.data.object, event.type !== 'invoice.payment_failed', stamp);
    default:
      return;
  }
}

async function rememberCustomer(
  trx: Trx,
  ctx: Pick<Context, 'clock'>,
  scope: PaymentScope,
  userId: string,
  customerId: string,
): Promise<void> {
  const now = ctx.clock.now();
  await trx
    .insertInto('stripe_customers')
    .values({
      id: uuidv7(now.getTime()),
      project_id: scope.projectId,
      user_id: userId,
      is_test_mode: scope.isTestMode,
      customer_id: customerId,
      created_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

async function checkoutCompleted(
  trx: Trx,
  ctx: Pick<Context, 'clock'>,
  scope: PaymentScope,
  object: CheckoutSessionObject,
  stamp: StateStamp,
): Promise<void> {
  const session = readCheckoutSession(object);
  if (!session) return;
  const userId =
    (await endUserOfProject(trx, scope.projectId, session.userId)) ??
    (await userOfCustomer(trx, scope, session.customerId));
  if (userId && session.customerId) await rememberCustomer(trx, ctx, scope, userId, session.customerId);

  if (session.mode === 'subscription' && session.subscriptionId) {
    const existing = await findSubscription(trx, scope, session.subscriptionId);
    if (existing) {
      if (!existing.user_id && userId)
        await trx.updateTable('stripe_subscriptions').set({ user_id: userId }).where('id', '=', existing.id).execute();
      await applySubscriptionStatus(trx, ctx, scope, existing, 'active', session.paid ? ['incomplete'] : [], stamp);
      return;
    }
    // The subscription's own events carry its details; until they come, what the session tells.
    await applySubscriptionState(
      trx,
      ctx,
      scope,
      {
        id: session.subscriptionId,
        customer: session.customerId,
        status: session.paid ? 'active' : 'incomplete',
        priceId: session.priceId,
        planName: null,
        quantity: 1,
        periodStart: null,
        periodEnd: null,
        cancelAt: null,
        canceledAt: null,
        userId,
      },
      stamp,
    );
    return;
  }
  if (session.mode === 'payment') {
    await applyPayment(trx, ctx, scope, {
      sourceId: session.id,
      paymentIntentId: session.paymentIntentId,
      status: session.paid ? 'succeeded' : 'pending',
      amountCents: session.amountCents,
      currency: session.currency,
      description: null,
      subscriptionRowId: null,
      userId,
    });
  }
}

async function invoiceOutcome(
  trx: Trx,
  ctx: Pick<Context, 'clock'>,
  scope: PaymentScope,
  object: InvoiceObject,
  paid: boolean,
  stamp: StateStamp,
): Promise<void> {
  const invoice = readInvoice(object);
  if (!invoice) return;
  let subscription = invoice.subscriptionId ? await findSubscription(trx, scope, invoice.subscriptionId) : undefined;
  if (invoice.subscriptionId && !subscription) {
    const status = paid ? 'active' : 'incomplete';
    subscription = await applySubscriptionState(
      trx,
      ctx,
      scope,
      { ...invoice.subscription, id: invoice.subscriptionId, status },
      stamp,
    );
  } else if (subscription) {
    if (paid)
      await applySubscriptionStatus(
        trx,
        ctx,
        scope,
        subscription,
        'active',
        ['incomplete', 'past_due', 'unpaid'],
        stamp,
      );
    else await applySubscriptionStatus(trx, ctx, scope, subscription, 'past_due', ['active', 'trialing'], stamp);
  }

  const userId = subscription?.user_id ?? (await userOfCustomer(trx, scope, invoice.customerId));
  await applyPayment(trx, ctx, scope, {
    sourceId: invoice.id,
    paymentIntentId: invoice.paymentIntentId,
    status: paid ? 'succeeded' : 'failed',
    amountCents: paid ? invoice.amountPaidCents : invoice.amountDueCents,
    currency: invoice.currency,
    description: invoice.description,
    subscriptionRowId: subscription?.id ?? null,
    userId,
  });
}
