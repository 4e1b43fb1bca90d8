import type { Stripe } from '../../lib/stripe.js';

/**
 * Reading the Stripe objects webhooks and our calls bring, through the `stripe` package's
 * types. A webhook carries its object in the API version its endpoint was made with, so any
 * field may be missing or null, and some sit where older versions kept them (the `Older*`
 * fields): every reader below looks in both places and never trusts a field's type.
 */
type Loose<T> = T extends (infer U)[] ? Loose<U>[] : T extends object ? { [K in keyof T]?: Loose<T[K]> | null } : T;

/** Before API version 2025-03-31 the period, plan and quantity were the subscription's own. */
interface OlderSubscription {
  current_period_start: number;
  current_period_end: number;
  plan: Stripe.Plan;
  quantity: number;
}
/** Before 2025-03-31 an invoice named its subscription, payment intent and their metadata itself, and a line its price. */
interface OlderInvoice {
  subscription: string | Stripe.Subscription;
  payment_intent: string | Stripe.PaymentIntent;
  subscription_details: { metadata: Stripe.Metadata };
  lines: Stripe.ApiList<Stripe.InvoiceLineItem & { price: Stripe.Price }>;
}

export type SubscriptionObject = Loose<Omit<Stripe.Subscription, keyof OlderSubscription> & OlderSubscription>;
export type InvoiceObject = Loose<Omit<Stripe.Invoice, keyof OlderInvoice> & OlderInvoice>;
export type CheckoutSessionObject = Loose<Stripe.Checkout.Session>;

export const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** An id, whether Stripe sent it bare or expanded into its object. */
export const idOf = (v: unknown): string | null =>
  str(v) ?? (v && typeof v === 'object' ? str((v as { id?: unknown }).id) : null);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);
const time = (unixSeconds: unknown): Date | null =>
  typeof unixSeconds === 'number' && Number.isFinite(unixSeconds) ? new Date(unixSeconds * 1000) : null;
const productName = (product: unknown): string | null =>
  product && typeof product === 'object' ? str((product as { name?: unknown }).name) : null;

/** The part of a Stripe subscription we keep. */
export interface StripeSubscriptionState {
  id: string;
  customer: string | null;
  status: string;
  priceId: string | null;
  planName: string | null;
  quantity: number;
  periodStart: Date | null;
  periodEnd: Date | null;
  cancelAt: Date | null;
  canceledAt: Date | null;
  /** The end user our checkout tagged it with; believed only once checked against the project. */
  userId: string | null;
}

/** A subscription object with an id (the caller checked it). */
export function readSubscription(sub: SubscriptionObject & { id: string }): StripeSubscriptionState {
  const item = sub.items?.data?.[0];
  const price = item?.price;
  const plan = item?.plan ?? sub.plan;
  const priceId = idOf(price) ?? idOf(plan);
  return {
    id: sub.id,
    customer: idOf(sub.customer),
    status: str(sub.status) ?? 'incomplete',
    priceId,
    planName:
      str(price?.nickname) ??
      str(price?.lookup_key) ??
      productName(price?.product) ??
      str(plan?.nickname) ??
      productName(plan?.product) ??
      priceId,
    quantity: count(item?.quantity) ?? count(sub.quantity) ?? 1,
    periodStart: time(item?.current_period_start) ?? time(sub.current_period_start),
    periodEnd: time(item?.current_period_end) ?? time(sub.current_period_end),
    cancelAt: time(sub.cancel_at),
    canceledAt: time(sub.canceled_at),
    userId: str(sub.metadata?.tollgate_user_id),
  };
}

export interface InvoiceFacts {
  id: string;
  subscriptionId: string | null;
  /** The invoice's own id when it names no payment intent: one payment row per invoice either way. */
  paymentIntentId: string;
  customerId: string | null;
  amountPaidCents: number;
  amountDueCents: number;
  currency: string;
  description: string | null;
  /** What the invoice tells of its subscription, for one we have not seen yet (status aside). */
  subscription: Omit<StripeSubscriptionState, 'id' | 'status'>;
}

export function readInvoice(invoice: InvoiceObject): InvoiceFacts | null {
  const id = str(invoice.id);
  if (!id) return null;
  const details = invoice.parent?.subscription_details;
  const line = invoice.lines?.data?.[0];
  const customerId = idOf(invoice.customer);
  return {
    id,
    subscriptionId: idOf(invoice.subscription) ?? idOf(details?.subscription) ?? idOf(line?.subscription),
    paymentIntentId: idOf(invoice.payment_intent) ?? idOf(invoice.payments?.data?.[0]?.payment?.payment_intent) ?? id,
    customerId,
    amountPaidCents: count(invoice.amount_paid) ?? 0,
    amountDueCents: count(invoice.amount_due) ?? 0,
    currency: str(invoice.currency) ?? 'usd',
    description: str(invoice.description) ?? str(line?.description),
    subscription: {
      customer: customerId,
      priceId: idOf(line?.price) ?? idOf(line?.pricing?.price_details?.price),
      planName: str(line?.price?.nickname),
      quantity: count(line?.quantity) ?? 1,
      periodStart: time(line?.period?.start),
      periodEnd: time(line?.period?.end),
      cancelAt: null,
      canceledAt: null,
      userId: str(invoice.subscription_details?.metadata?.tollgate_user_id) ?? str(details?.metadata?.tollgate_user_id),
    },
  };
}

export interface CheckoutFacts {
  id: string;
  mode: string | null;
  customerId: string | null;
  /** The end user our checkout tagged it with; believed only once checked against the project. */
  userId: string | null;
  paid: boolean;
  subscriptionId: string | null;
  /** The price our checkout asked for. */
  priceId: string | null;
  /** The session's own id when it names no payment intent. */
  paymentIntentId: string;
  amountCents: number;
  currency: string;
}

export function readCheckoutSession(session: CheckoutSessionObject): CheckoutFacts | null {
  const id = str(session.id);
  if (!id) return null;
  return {
    id,
    mode: str(session.mode),
    customerId: idOf(session.customer),
    userId: str(session.metadata?.tollgate_user_id) ?? str(session.client_reference_id),
    paid: session.payment_status === 'paid' || session.payment_status === 'no_payment_required',
    subscriptionId: idOf(session.subscription),
    priceId: str(session.metadata?.tollgate_price_id),
    paymentIntentId: idOf(session.payment_intent) ?? id,
    amountCents: count(session.amount_total) ?? 0,
    currency: str(session.currency) ?? 'usd',
  };
}
