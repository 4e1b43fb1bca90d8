import type { Selectable } from 'kysely';
import type { StripeSubscriptionsTable } from '../../db/schema/stripe.js';
import { toIso } from '../../lib/time.js';

export type SubscriptionRow = Selectable<StripeSubscriptionsTable>;

/** An end user's Stripe subscription as the core hands it to the faces. */
export interface Subscription {
  /** Ours; `subscriptionId` is Stripe's. */
  id: string;
  projectId: string;
  userId: string | null;
  isTestMode: boolean;
  subscriptionId: string;
  customerId: string | null;
  status: string;
  priceId: string | null;
  planName: string | null;
  quantity: number;
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  cancelAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    projectId: row.project_id,
    userId: row.user_id,
    isTestMode: Boolean(row.is_test_mode),
    subscriptionId: row.subscription_id,
    customerId: row.customer_id,
    status: row.status,
    priceId: row.price_id,
    planName: row.plan_name,
    quantity: Number(row.quantity),
    currentPeriodStart: toIso(row.current_period_start),
    currentPeriodEnd: toIso(row.current_period_end),
    cancelAt: toIso(row.cancel_at),
    cancelledAt: toIso(row.cancelled_at),
    createdAt: toIso(row.created_at),
  };
}

/** Every status Stripe gives a subscription (the filters of the lists). */
export const SUBSCRIPTION_STATUSES = [
  'active',
  'trialing',
  'past_due',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'canceled',
  'paused',
] as const;

/** Statuses in which an end user has a subscription that counts (checkout refuses a second one). */
export const CURRENT_STATUSES = ['active', 'trialing', 'past_due', 'unpaid', 'incomplete'];
export const ACTIVE_STATUSES = ['active', 'trialing', 'past_due', 'unpaid'];
