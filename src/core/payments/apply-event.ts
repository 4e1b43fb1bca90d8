import type { Transaction } from 'kysely';
import type { Context } from '../../context.js';
import type { Database } from '../../db/schema/index.js';
import { uuidv7 } from '../../lib/ids.js';
import { applyPayment } from './payment.js';
import {
  applySubscriptionState,
  applySubscriptionStatus,
  endUserOfProject,
  eventStamp,
  findSubscription,
  readSubscription,
  userOfCustomer,
  type StateStamp,
} from './subscription.js';

type Trx = Transaction<Database>;
interface Scope {
  projectId: string;
  ownerId: string;
  isTestMode: boolean;
}
interface StripeEventBody {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, any> };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const idOf = (v: unknown): string | null => str(v) ?? (v && typeof v === 'object' ? str((v as { id?: unknown }).id) : null);
const int = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0);

/** The effect of one verified Stripe event, inside the transaction that claimed its id. Other types are kept as seen only. */
export async function applyStripeEvent(trx: Trx, ctx: Pick<Context, 'clock'>, scope: Scope, event: StripeEventBody): Promise<void> {
  const obj = event.data.object;
  const stamp = eventStamp(event.created);
  switch (event.type) {
    case 'checkout.session.completed':
      return checkoutCompleted(trx, ctx, scope, obj, stamp);
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      if (!str(obj.id)) return;
      const state = readSubscription(obj);
      // A deletion is final whatever status its snapshot carries.
      if (event.type === 'customer.subscription.deleted') state.status = 'canceled';
      await applySubscriptionState(trx, ctx, scope, state, stamp);
      return;
    }
    case 'invoice.paid':
    case 'invoice.payment_succeeded':
    case 'invoice.payment_failed':
      return invoiceOutcome(trx, ctx, scope, obj, event.type !== 'invoice.payment_failed', stamp);
    default:
      return;
  }
}

async function rememberCustomer(trx: Trx, ctx: Pick<Context, 'clock'>, scope: Scope, userId: string, customerId: string): Promise<void> {
  const now = ctx.clock.now();
  await trx
    .insertInto('stripe_customers')
    .values({ id: uuidv7(now.getTime()), project_id: scope.projectId, user_id: userId, is_test_mode: scope.isTestMode, customer_id: customerId, created_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

async function checkoutCompleted(trx: Trx, ctx: Pick<Context, 'clock'>, scope: Scope, session: Record<string, any>, stamp: StateStamp): Promise<void> {
  const sessionId = str(session.id);
  if (!sessionId) return;
  const customerId = idOf(session.customer);
  const userId =
    (await endUserOfProject(trx, scope.projectId, str(session.metadata?.tollgate_user_id) ?? str(session.client_reference_id))) ??
    (await userOfCustomer(trx, scope, customerId));
  if (userId && customerId) await rememberCustomer(trx, ctx, scope, userId, customerId);
  const paid = session.payment_status === 'paid' || session.payment_status === 'no_payment_required';

  const subscriptionId = idOf(session.subscription);
  if (session.mode === 'subscription' && subscriptionId) {
    const existing = await findSubscription(trx, scope, subscriptionId);
    if (existing) {
      if (!existing.user_id && userId) await trx.updateTable('stripe_subscriptions').set({ user_id: userId }).where('id', '=', existing.id).execute();
      await applySubscriptionStatus(trx, ctx, scope, existing, 'active', paid ? ['incomplete'] : [], stamp);
      return;
    }
    // The subscription's own events carry its details; until they come, what the session tells.
    await applySubscriptionState(
      trx,
      ctx,
      scope,
      {
        id: subscriptionId,
        customer: customerId,
        status: paid ? 'active' : 'incomplete',
        priceId: str(session.metadata?.tollgate_price_id),
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
      sourceId: sessionId,
      paymentIntentId: idOf(session.payment_intent) ?? sessionId,
      status: paid ? 'succeeded' : 'pending',
      amountCents: int(session.amount_total),
      currency: str(session.currency) ?? 'usd',
      description: null,
      subscriptionRowId: null,
      userId,
    });
  }
}

async function invoiceOutcome(trx: Trx, ctx: Pick<Context, 'clock'>, scope: Scope, invoice: Record<string, any>, paid: boolean, stamp: StateStamp): Promise<void> {
  const invoiceId = str(invoice.id);
  if (!invoiceId) return;
  // Where the subscription and payment intent sit moved between API versions: read both places.
  const subscriptionId =
    idOf(invoice.subscription) ?? idOf(invoice.parent?.subscription_details?.subscription) ?? idOf(invoice.lines?.data?.[0]?.subscription);
  const paymentIntentId = idOf(invoice.payment_intent) ?? idOf(invoice.payments?.data?.[0]?.payment?.payment_intent) ?? invoiceId;
  const customerId = idOf(invoice.customer);
  const line = invoice.lines?.data?.[0] ?? {};

  let subscription = subscriptionId ? await findSubscription(trx, scope, subscriptionId) : undefined;
  if (subscriptionId && !subscription) {
    subscription = await applySubscriptionState(
      trx,
      ctx,
      scope,
      {
        id: subscriptionId,
        customer: customerId,
        status: paid ? 'active' : 'incomplete',
        priceId: idOf(line.price) ?? idOf(line.pricing?.price_details?.price),
        planName: str(line.price?.nickname),
        quantity: Number.isInteger(line.quantity) ? line.quantity : 1,
        periodStart: typeof line.period?.start === 'number' ? new Date(line.period.start * 1000) : null,
        periodEnd: typeof line.period?.end === 'number' ? new Date(line.period.end * 1000) : null,
        cancelAt: null,
        canceledAt: null,
        userId: str(invoice.subscription_details?.metadata?.tollgate_user_id ?? invoice.parent?.subscription_details?.metadata?.tollgate_user_id),
      },
      stamp,
    );
  } else if (subscription) {
    if (paid) await applySubscriptionStatus(trx, ctx, scope, subscription, 'active', ['incomplete', 'past_due', 'unpaid'], stamp);
    else await applySubscriptionStatus(trx, ctx, scope, subscription, 'past_due', ['active', 'trialing'], stamp);
  }

  const userId = subscription?.user_id ?? (await userOfCustomer(trx, scope, customerId));
  await applyPayment(trx, ctx, scope, {
    sourceId: invoiceId,
    paymentIntentId,
    status: paid ? 'succeeded' : 'failed',
    amountCents: paid ? int(invoice.amount_paid) : int(invoice.amount_due),
    currency: str(invoice.currency) ?? 'usd',
    description: str(invoice.description) ?? str(line.description),
    subscriptionRowId: subscription?.id ?? null,
    userId,
  });
}
